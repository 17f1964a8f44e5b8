"""Writing many rows at once: ids reserved up front, rows written by COPY on PostgreSQL and
by one ``executemany`` INSERT elsewhere (SQLite: development and the tests).

Why not ``bulk_create``: at a hundred thousand rows, building model instances and having
the ORM prepare every value costs several times the database's own work, and it
overwrites ``auto_now`` fields with the time of the run. The imports, the demo data and
the dashboards' aggregate tables write plain tuples instead, through this module, so that
every one of them stores the same values the ORM would and pays for it once.

The API, smallest first:

- :func:`ids_reserve` — ``count`` primary keys nobody else will take, so children can
  point at parents before either is written;
- :class:`IdSource` — the same, one id at a time, reserved in chunks;
- :func:`column_preparer` — the one place a Python value becomes what the driver is given
  for a column (dates, datetimes, decimals, booleans, ``None``, JSON);
- :class:`BulkTable` — rows for one table; columns not given are filled as ``Model()``
  would (the field's default, ``now`` for ``auto_now``/``auto_now_add``), and
  :meth:`BulkTable.write` sends them;
- :func:`rows_insert` — the one-call form: a model, its columns, the rows.

Values must already be what the column stores (ids for foreign keys, plain values for
choices); the database still checks every constraint. Nothing here audits: the service
that calls it does (see ``pilotage.core.audit``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

ID_CHUNK = 10_000


def _connection(using: str | BaseDatabaseWrapper | None) -> BaseDatabaseWrapper:
    """An alias, a connection (``django.db.connection`` is a proxy to one), or the default."""
    if using is None or isinstance(using, str):
        return connections[using or DEFAULT_DB_ALIAS]
    return using


# --- Ids -----------------------------------------------------------------------------------


def ids_reserve(
    model: type[models.Model], count: int, *, using: str | BaseDatabaseWrapper | None = None
) -> list[int]:
    """``count`` new primary keys for ``model``, taken from the table's own counter so no
    other writer (the ORM included) can be given them.

    PostgreSQL: ``nextval`` on the table's sequence, safe next to concurrent writers; the
    ids are spent even if the transaction rolls back, as with any insert. SQLite: the
    table's ``sqlite_sequence`` entry (Django declares its keys AUTOINCREMENT) is moved
    past the reserved ids inside the caller's transaction, which takes the database's
    single write lock; a rollback gives them back.
    """
    if count <= 0:
        return []
    connection = _connection(using)
    pk = model._meta.pk
    if pk is None or pk.get_internal_type() not in {"AutoField", "BigAutoField"}:
        raise ValueError(f"{model.__name__} has no automatic integer key to reserve")
    table, column = model._meta.db_table, str(pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [_pg_sequence(connection.alias, table, column), count],
            )
            return [value for (value,) in cursor.fetchall()]
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({qn(column)}) FROM {qn(table)}")  # noqa: S608 (model names)
        (largest,) = cursor.fetchone() or (None,)
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        first = max(largest or 0, found[0] if found else 0) + 1
        last = first + count - 1
        if found:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last, table])
        else:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last])
    return list(range(first, last + 1))


@functools.cache
def _pg_sequence(alias: str, table: str, column: str) -> str:
    # Named once: inside the nextval statement it would be looked up again for every id.
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        return str(cursor.fetchone()[0])


class IdSource:
    """One new id at a time (``source.take()``), reserved ``chunk`` at a time with
    :func:`ids_reserve`: for code that meets its rows one by one."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        using: str | BaseDatabaseWrapper | None = None,
        chunk: int = ID_CHUNK,
    ):
        self.model, self.connection, self.chunk = model, _connection(using), chunk
        self._ids: Iterator[int] = iter(())

    def take(self) -> int:
        for value in self._ids:
            return value
        self._ids = iter(ids_reserve(self.model, self.chunk, using=self.connection))
        return next(self._ids)


# --- Values --------------------------------------------------------------------------------


def column_preparer(
    field: models.Field[Any, Any], connection: BaseDatabaseWrapper
) -> Callable[[Any], Any] | None:
    """What turns a Python value into what the driver is given for ``field``'s column, or
    None when values pass as they are. The caller skips ``None`` (always ``NULL``).

    - JSON: serialised with the field's encoder, on every database (COPY and SQLite both
      take the text; a dict has no adapter in either driver).
    - Datetimes on SQLite: aware ones become naive UTC text, as the ORM stores them (the
      driver's own adapter would keep the offset and break comparisons); dates become ISO
      text. The same few values recur on thousands of rows, so each is prepared once.
    - Everything else passes as it is: both drivers adapt dates, aware datetimes,
      decimals (Django registers a ``str`` adapter on SQLite), booleans, ints and text;
      PostgreSQL's COPY stores datetimes as given, with their time zone.
    """
    kind = field.get_internal_type()
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        return functools.partial(json.dumps, cls=encoder)
    if connection.vendor == "postgresql":
        return None
    ops = connection.ops
    if kind == "DateTimeField":
        return functools.lru_cache(maxsize=4096)(ops.adapt_datetimefield_value)
    if kind == "DateField":
        return functools.lru_cache(maxsize=4096)(ops.adapt_datefield_value)
    return None


# --- Rows ----------------------------------------------------------------------------------


class BulkTable:
    """Rows waiting to be written to one model's table.

    ``columns`` name fields (``"pupil"`` or ``"pupil_id"``); the rows give one value per
    column in that order. Columns left out take what ``Model()`` would hold: the field's
    default, ``now`` for ``auto_now``/``auto_now_add`` (one instant for the whole table,
    so a run's rows share it), the database's key for the primary key. A column added to
    a model later with a default needs no change in the callers; one without a default
    fails here, loudly, before anything is written.
    """

    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        *,
        using: str | BaseDatabaseWrapper | None = None,
        now: dt.datetime | None = None,
    ):
        self.model = model
        self.connection = _connection(using)
        meta = model._meta
        given: list[models.Field[Any, Any]] = []
        for name in columns:
            try:
                field = meta.get_field(name)
            except Exception as exc:
                raise ValueError(f"{model.__name__} has no column {name}") from exc
            if not getattr(field, "concrete", False) or field.many_to_many:
                raise ValueError(f"{model.__name__}.{name} is not a column")
            given.append(cast("models.Field[Any, Any]", field))
        now = now or timezone.now()
        names = {f.attname for f in given}
        pk = meta.pk.attname if meta.pk else None
        filled: list[tuple[models.Field[Any, Any], Any]] = []
        for f in meta.concrete_fields:
            if f.attname in names or f.attname == pk:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                filled.append((f, now))
                continue
            value = f.get_default()
            if value is None and not f.null:
                raise ValueError(f"{model.__name__}.{f.attname} has no default: give it a value")
            filled.append((f, value))
        self.fields = [*given, *(f for f, _value in filled)]
        self.extra = tuple(value for _f, value in filled)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def extend(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.rows.extend(rows)

    def write(self) -> int:
        """Send the waiting rows (one COPY, or one ``executemany``) and forget them;
        returns how many were written."""
        rows, self.rows = self.rows, []
        if not rows:
            return 0
        connection = self.connection
        qn = connection.ops.quote_name
        table = qn(self.model._meta.db_table)
        names = ", ".join(qn(str(f.column)) for f in self.fields)
        prepare = [
            (index, p)
            for index, f in enumerate(self.fields)
            if (p := column_preparer(f, connection)) is not None
        ]
        extra = self.extra
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    if prepare:
                        for row in rows:
                            copy.write_row(_prepared(row + extra, prepare))
                    elif extra:
                        for row in rows:
                            copy.write_row(row + extra)
                    else:
                        for row in rows:
                            copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(self.fields))
                sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 (model names)
                if prepare:
                    cursor.executemany(sql, [_prepared(row + extra, prepare) for row in rows])
                elif extra:
                    cursor.executemany(sql, [row + extra for row in rows])
                else:
                    cursor.executemany(sql, rows)
        self.written += len(rows)
        return len(rows)


def _prepared(
    row: tuple[Any, ...], prepare: list[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    values = list(row)
    for index, adapt in prepare:
        if values[index] is not None:
            values[index] = adapt(values[index])
    return tuple(values)


def rows_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    using: str | BaseDatabaseWrapper | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Insert plain tuples, one value per column in the order of ``columns`` (see
    :class:`BulkTable` for the columns left out); returns how many rows were written."""
    table = BulkTable(model, columns, using=using, now=now)
    table.extend(rows)
    return table.write()
