"""The store and its unit of work: one transaction per request or batch, on whichever engine the URL names."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, MetaData
from sqlalchemy.exc import OperationalError

from mockserver.store import locks
from mockserver.store.engines import StoreError, open_engine

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
        # An in-memory store is one connection: its transactions, run from worker threads, take turns.
        self._turns: AbstractContextManager[Any] = nullcontext() if opened.shared else threading.RLock()
        try:
            with self.transaction() as connection:
                # Workers and replicas start together: one creates the tables, the others find them.
                locks.exclusive(connection, SCHEMA)
                metadata.create_all(connection)
        except OperationalError as error:
            self.engine.dispose()
            raise StoreError(f"cannot open the store {self.engine.url!r}: {error.orig}") from None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self._turns, self.engine.begin() as connection:
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
        with self._turns, self.engine.connect() as connection:
            transaction = connection.begin()
            try:
                yield connection
            finally:
                transaction.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
