"""Writing millions of rows: COPY on PostgreSQL, batched ``executemany`` elsewhere.

The schooling step writes pupils, enrolments, marks and absences by the million at the
larger scales. Model instances and ``bulk_create`` cost tens of microseconds a row in
Python before the database sees anything, and ``bulk_create`` overwrites ``auto_now``
fields with the time of the run (marks would all be "entered" today). So the step builds
plain tuples and this module writes them: psycopg 3's ``COPY … FROM STDIN`` on
PostgreSQL, one ``INSERT`` run with ``executemany`` per batch on other backends (SQLite
for the small scale and the tests). Both store the same values.

The writing itself (ids reserved from the tables' own counters, COPY or ``executemany``,
columns not given filled as the ORM would, values prepared as the ORM stores them) is the
kernel's bulk writer, :mod:`pilotage.core.bulk`; this module only keeps the rows of many
tables waiting, parents before children, until enough have piled up.

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
from collections.abc import Iterator, Sequence

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from pilotage.core.bulk import BulkTable, IdSource

FLUSH_ROWS = 50_000


class RowWriter:
    """Buffers rows per table and writes them in the order the tables were declared, so
    parents (declared first) are always written before their children."""

    def __init__(self, connection: BaseDatabaseWrapper, *, flush_rows: int = FLUSH_ROWS):
        self.connection = connection
        self.flush_rows = flush_rows
        self.now = dt.datetime.now(tz=dt.UTC)
        self.tables: list[BulkTable] = []
        self._ids: dict[type[models.Model], IdSource] = {}

    def table(self, model: type[models.Model], columns: Sequence[str]) -> BulkTable:
        table = BulkTable(model, columns, using=self.connection, now=self.now)
        self.tables.append(table)
        return table

    def pending(self) -> int:
        return sum(len(t.rows) for t in self.tables)

    def flush_if_full(self) -> None:
        if self.pending() >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        for table in self.tables:
            table.write()

    def next_id(self, model: type[models.Model]) -> int:
        source = self._ids.get(model)
        if source is None:
            source = self._ids[model] = IdSource(model, using=self.connection)
        return source.take()


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
