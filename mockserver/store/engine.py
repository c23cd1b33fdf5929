"""The store and its units of work: one transaction per request or batch, on whichever engine the URL names.

`transaction()` may write: on SQLite it holds the write lock until it ends. `snapshot()` only reads: on SQLite
it sees the last commit and waits for no writer, so a long import holds up no reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, MetaData
from sqlalchemy.exc import OperationalError

from mockserver.store import locks
from mockserver.store.engines import StoreError, open_engine
from mockserver.worker_threads import before_waiting

# Every table of every API registers on this one MetaData, so `create_all` builds the whole store.
metadata = MetaData()

SCHEMA: locks.Name = ("schema",)


class Store:
    """Owns the engine; `transaction()` is the unit of work (commit on success, rollback on error)."""

    def __init__(self, url: str = "sqlite://") -> None:
        self.url = url
        opened = open_engine(url)
        self.engine = opened.engine
        self.shared = opened.shared
        self.reads_wait = opened.reads_wait
        self._reader = opened.reader or opened.engine
        # SQLite has one writer at a time. Its writers, of this process and of others on the same file, queue here,
        # each woken as the last one ends instead of polling the file's lock; a waiting writer holds no connection.
        # Reentrant: a unit of work begun inside another by mistake fails on SQLite's busy timeout, never hangs
        # (writer_queue.py). PostgreSQL: nothing, its writers wait on the rows and locks they need.
        self._writer = opened.writers
        self._after_write = opened.after_write
        try:
            with self.transaction() as connection:
                # Workers and replicas start together: one creates the tables, the others find them.
                locks.exclusive(connection, SCHEMA)
                metadata.create_all(connection)
        except OperationalError as error:
            self.dispose()
            raise StoreError(f"cannot open the store {self.engine.url!r}: {error.orig}") from None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        before_waiting()
        with self._writer, self.engine.begin() as connection:
            yield connection
        self._after_write()

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A unit of work that only reads. On SQLite: a consistent snapshot of the last commit that waits for no
        writer, and a write in it fails at once; on PostgreSQL: a transaction as any other (see `reads_wait`)."""
        if self.reads_wait:
            before_waiting()
        with self._reader.begin() as connection:
            yield connection

    def refresh_statistics(self) -> None:
        """After a bulk load: let SQLite's planner learn the new row counts, so a date-range query takes the
        (tenant, meter, date) index instead of walking the primary key. PostgreSQL's autovacuum keeps its own."""
        if self.dialect != "sqlite":
            return
        with self.transaction() as connection:
            connection.exec_driver_sql("PRAGMA analysis_limit=1000")  # sampled: milliseconds, not a scan
            connection.exec_driver_sql("PRAGMA optimize=0x10002")

    @contextmanager
    def rehearsal(self) -> Iterator[Connection]:
        """A transaction that is always rolled back: to try something out without keeping it."""
        before_waiting()
        with self._writer, self.engine.connect() as connection:
            transaction = connection.begin()
            try:
                yield connection
            finally:
                transaction.rollback()

    def dispose(self) -> None:
        self._reader.dispose()
        self.engine.dispose()
