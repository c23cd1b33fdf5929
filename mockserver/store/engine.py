"""The engine and the unit of work: one transaction per request or batch."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool

# Every table of every API registers on this one MetaData, so `create_all` builds the whole store.
metadata = MetaData()


_IN_MEMORY = ("sqlite://", "sqlite:///:memory:")


def _create_engine(url: str) -> Engine:
    if url in _IN_MEMORY:
        # One shared connection: an in-memory database lives and dies with its connection.
        return create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    if url.startswith("sqlite"):
        # Handlers run in worker threads: a writer waits for another's transaction (up to a minute) instead of
        # failing at once; readers go on beside it (WAL).
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """Owns the engine; `transaction()` is the unit of work (commit on success, rollback on error)."""

    def __init__(self, url: str = "sqlite://") -> None:
        self.url = url
        self.engine = _create_engine(url)
        # An in-memory store is one connection: its transactions, run from worker threads, take turns.
        self._turns: AbstractContextManager[Any] = threading.RLock() if url in _IN_MEMORY else nullcontext()
        metadata.create_all(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self._turns, self.engine.begin() as connection:
            yield connection

    def refresh_statistics(self) -> None:
        """After a bulk load: let SQLite's planner learn the new row counts, so a date-range query takes the
        (tenant, meter, date) index instead of walking the primary key. Other databases keep their own."""
        if self.dialect != "sqlite":
            return
        with self._turns, self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA analysis_limit=1000")  # sampled: milliseconds, not a scan
            connection.exec_driver_sql("PRAGMA optimize=0x10002")
            connection.commit()

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
