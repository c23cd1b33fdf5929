"""One engine factory per URL scheme: the private store (the default), SQLite in a file, PostgreSQL through
psycopg 3.

What differs between them is decided here, once: how a transaction begins, which connection settings
apply, whether several processes may share the store, and whether a read can wait for a writer.

The private store is a SQLite file of its own in the temporary folder, removed when the store is dropped or the
process exits. SQLite keeps an in-memory database on one connection, so a read there waits for every write;
in a file in WAL mode, a read sees the last commit and waits for no writer, however long the write runs.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

# A file store waits this long for another process's write to finish before giving up (SQLITE_BUSY).
SQLITE_BUSY_TIMEOUT_S = 30.0


class StoreError(Exception):
    """The store URL names no store we can open, or the store does not answer."""


@dataclass(frozen=True)
class Opened:
    engine: Engine
    shared: bool  # several processes (workers, replicas) may use this store at once
    reads_wait: bool  # a read-only unit of work may wait for a writer (a lock, the network)


SNAPSHOT = "mockserver_snapshot"
"""Execution option of a connection whose transaction only reads (see `Store.snapshot`)."""

PRIVATE_STORE_PREFIX = "mockserver-store-"


def _sqlite_private(url: str) -> Opened:
    folder = Path(tempfile.mkdtemp(prefix=PRIVATE_STORE_PREFIX))
    # Nothing outlives the process, so nothing is synced to disk: the file is a cache the OS keeps in memory.
    engine = _sqlite_wal(f"sqlite:///{folder / 'store.db'}", synchronous="OFF")
    weakref.finalize(engine, shutil.rmtree, folder, ignore_errors=True)  # when dropped, or at exit
    return Opened(engine, shared=False, reads_wait=False)


def _sqlite_file(url: str) -> Opened:
    return Opened(_sqlite_wal(url, synchronous="NORMAL"), shared=True, reads_wait=False)


def _sqlite_wal(url: str, *, synchronous: str) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # The driver's own transaction handling starts a transaction only at the first write, so a read
        # that decides a write would run outside it; the store begins transactions itself instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        if connection.get_execution_options().get(SNAPSHOT):
            # Deferred: in WAL mode the first read fixes a snapshot of the last commit; no lock is waited for.
            connection.exec_driver_sql("BEGIN")
            return
        # Every other unit of work takes the file's write lock up front: writers in all processes serialise
        # and a read-then-write can never be overtaken by another process's commit.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgresql(url: str) -> Opened:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    engine = create_engine(parsed, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        from mockserver.store.postgresql_text import NulSafeTextDumper

        dbapi_connection.adapters.register_dumper(str, NulSafeTextDumper)

    # A read holds its tenant shared (locks.py), so it waits while that tenant is reset or loaded.
    return Opened(engine, shared=True, reads_wait=True)


def _factory(url: str) -> Callable[[str], Opened]:
    if url in ("sqlite://", "sqlite:///:memory:"):
        return _sqlite_private
    if url.startswith(("sqlite:///", "sqlite+pysqlite:///")):
        return _sqlite_file
    if url.startswith(("postgresql:", "postgresql+psycopg:", "postgres:")):
        return _postgresql
    raise StoreError(
        f"unsupported store URL {url!r}: use sqlite:// (private to the process), sqlite:///FILE or postgresql+psycopg://HOST/DB"
    )


def open_engine(url: str) -> Opened:
    try:
        return _factory(url)(url)
    except (ArgumentError, ValueError) as error:
        raise StoreError(f"bad store URL {url!r}: {error}") from None
