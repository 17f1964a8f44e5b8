"""Writing millions of rows: COPY on PostgreSQL, batched ``executemany`` elsewhere.

The schooling step writes pupils, enrolments, marks and absences by the million at the
larger scales. Model instances and ``bulk_create`` cost tens of microseconds a row in
Python before the database sees anything, and ``bulk_create`` overwrites ``auto_now``
fields with the time of the run (marks would all be "entered" today). So the step builds
plain tuples and this module writes them: psycopg 3's ``COPY … FROM STDIN`` on
PostgreSQL, one ``INSERT`` run with ``executemany`` per batch on other backends (SQLite
for the small scale and the tests). Both store the same values.

Parents are referenced before they are written, so ids are reserved up front: from the
table's own sequence on PostgreSQL (``nextval``, safe next to other writers), and by
counting on from the largest id elsewhere (SQLite: the seeding transaction holds the write
lock from its start, so nobody else can take an id meanwhile).

Columns a step does not give are filled as the ORM would: the field's default (an empty
string for text, ``NULL`` where allowed), ``now`` for ``auto_now``/``auto_now_add``. A
column added to a model later with a default needs no change here; one without a default
fails loudly.

On PostgreSQL, :func:`bulk_load` also follows the manual's advice for bulk loads
("Populating a Database"): a foreign key checked row by row runs one query per row and
key, several times the cost of the insert itself, and an index grown row by row costs
more than one built at once. So the tables' foreign keys and secondary indexes are
dropped for the load and created again at its end, in the same transaction, where
PostgreSQL checks all the rows at once with a join and builds each index with one sort.
Nothing is left unchecked, and a failure rolls the schema back with the data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

ID_CHUNK = 10_000
FLUSH_ROWS = 50_000


class Table:
    """The rows waiting to be written to one model's table."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], now: dt.datetime):
        self.model = model
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in fields]
        if unknown:
            raise ValueError(f"{model.__name__} has no column {', '.join(unknown)}")
        pk = model._meta.pk.attname if model._meta.pk else "id"
        extra: list[tuple[str, Any]] = []
        for name, f in fields.items():
            if name in columns or name == pk:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                extra.append((name, now))
                continue
            # What ``Model()`` would hold: the default, "" for text, else None.
            value = f.get_default()
            if value is None and not f.null:
                raise ValueError(f"{model.__name__}.{name} has no default: give it a value")
            extra.append((name, value))
        self.columns = [*columns, *(name for name, _value in extra)]
        self.fields = [fields[c] for c in self.columns]
        self.extra = tuple(value for _name, value in extra)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)


class RowWriter:
    """Buffers rows per table and writes them in the order the tables were declared, so
    parents (declared first) are always written before their children."""

    def __init__(self, connection: BaseDatabaseWrapper, *, flush_rows: int = FLUSH_ROWS):
        self.connection = connection
        self.copy = connection.vendor == "postgresql"
        self.flush_rows = flush_rows
        self.now = dt.datetime.now(tz=dt.UTC)
        self.tables: list[Table] = []
        self._ids: dict[type[models.Model], Callable[[], int]] = {}

    def table(self, model: type[models.Model], columns: Sequence[str]) -> Table:
        table = Table(model, columns, self.now)
        self.tables.append(table)
        return table

    def pending(self) -> int:
        return sum(len(t.rows) for t in self.tables)

    def flush_if_full(self) -> None:
        if self.pending() >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        for table in self.tables:
            if table.rows:
                if self.copy:
                    self._copy(table)
                else:
                    self._insert(table)
                table.written += len(table.rows)
                table.rows.clear()

    def _copy(self, table: Table) -> None:
        qn = self.connection.ops.quote_name
        sql = "COPY {} ({}) FROM STDIN".format(
            qn(table.model._meta.db_table), ", ".join(qn(c) for c in table.columns)
        )
        extra = table.extra
        with self.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in table.rows:
                copy.write_row(row + extra)

    def _insert(self, table: Table) -> None:
        qn = self.connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the model)
            qn(table.model._meta.db_table),
            ", ".join(qn(c) for c in table.columns),
            ", ".join(["%s"] * len(table.columns)),
        )
        prepare = self._preparers(table)
        extra = table.extra
        if prepare:
            rows = [_prepared(row + extra, prepare) for row in table.rows]
        else:
            rows = [row + extra for row in table.rows]
        with self.connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def _preparers(self, table: Table) -> list[tuple[int, Callable[[Any], Any]]]:
        """Dates and datetimes go through the backend's adapters (aware datetimes become
        UTC, as the ORM stores them); ints, strings, booleans and decimals pass as they
        are. The same few dates recur on thousands of rows (every mark of a test), so
        each adaptation is cached."""
        ops = self.connection.ops
        out: list[tuple[int, Callable[[Any], Any]]] = []
        for index, f in enumerate(table.fields):
            kind = f.get_internal_type()
            if kind == "DateTimeField":
                out.append(
                    (index, functools.lru_cache(maxsize=4096)(ops.adapt_datetimefield_value))
                )
            elif kind == "DateField":
                out.append((index, functools.lru_cache(maxsize=4096)(ops.adapt_datefield_value)))
        return out

    # --- ids ----------------------------------------------------------------------------

    def next_id(self, model: type[models.Model]) -> int:
        take = self._ids.get(model)
        if take is None:
            take = self._ids[model] = self._id_source(model)
        return take()

    def _id_source(self, model: type[models.Model]) -> Callable[[], int]:
        table = model._meta.db_table
        column = model._meta.pk.column if model._meta.pk else "id"
        if not self.copy:
            with self.connection.cursor() as cursor:
                qn = self.connection.ops.quote_name
                cursor.execute(f"SELECT MAX({qn(column)}) FROM {qn(table)}")  # noqa: S608
                (largest,) = cursor.fetchone() or (None,)
            counter = itertools.count((largest or 0) + 1)
            return counter.__next__

        def reserve() -> Iterator[int]:
            while True:
                with self.connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                        "FROM generate_series(1, %s)",
                        [table, column, ID_CHUNK],
                    )
                    block = [value for (value,) in cursor.fetchall()]
                yield from block

        return reserve().__next__


def _prepared(
    row: tuple[Any, ...], prepare: list[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    values = list(row)
    for index, adapt in prepare:
        if values[index] is not None:
            values[index] = adapt(values[index])
    return tuple(values)


@contextlib.contextmanager
def bulk_load(
    connection: BaseDatabaseWrapper, models_: Sequence[type[models.Model]]
) -> Iterator[None]:
    """Drop the foreign keys and secondary indexes of these models' tables for the block,
    and create them again (same names, same definitions, so the same deferral) when it
    ends without error. PostgreSQL only; elsewhere a no-op (SQLite checks deferred keys
    once, at commit, already).

    Primary keys and unique constraints stay: they guard the data while it is written.
    Must run inside a transaction: the tables stay locked until it ends, which is what a
    seeding run wants anyway."""
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("bulk_load needs a transaction")
    tables = [m._meta.db_table for m in models_]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) "
            "ORDER BY 1, 2",
            [tables],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisunique "
            "AND NOT i.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        if keys:
            # Rows written earlier in the transaction wait for their deferred checks, and
            # a table with pending checks (or one its keys point to) cannot be altered:
            # run those checks now, then defer again, Django's default (every deferrable
            # constraint of the schema is a foreign key created INITIALLY DEFERRED).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        # Sorting for an index build is faster in memory; for this transaction only.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")
