"""One engine factory per URL scheme: SQLite in memory, SQLite in a file, PostgreSQL through psycopg 3.

What differs between them is decided here, once: how a transaction begins, which connection settings
apply, and whether several processes may share the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

# A file store waits this long for another process's write to finish before giving up (SQLITE_BUSY).
SQLITE_BUSY_TIMEOUT_S = 30.0


class StoreError(Exception):
    """The store URL names no store we can open, or the store does not answer."""


@dataclass(frozen=True)
class Opened:
    engine: Engine
    shared: bool  # several processes (workers, replicas) may use this store at once


def _sqlite_memory(url: str) -> Opened:
    # One shared connection: an in-memory database lives and dies with its connection.
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    return Opened(engine, shared=False)


def _sqlite_file(url: str) -> Opened:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # The driver's own transaction handling starts a transaction only at the first write, so a read
        # that decides a write would run outside it; the store begins transactions itself instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
        # Every unit of work takes the file's write lock up front: writers in all processes serialise and a
        # read-then-write can never be overtaken by another process's commit.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return Opened(engine, shared=True)


def _postgresql(url: str) -> Opened:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    engine = create_engine(parsed, pool_pre_ping=True)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        from mockserver.store.postgresql_text import NulSafeTextDumper

        dbapi_connection.adapters.register_dumper(str, NulSafeTextDumper)

    return Opened(engine, shared=True)


def _factory(url: str) -> Callable[[str], Opened]:
    if url in ("sqlite://", "sqlite:///:memory:"):
        return _sqlite_memory
    if url.startswith(("sqlite:///", "sqlite+pysqlite:///")):
        return _sqlite_file
    if url.startswith(("postgresql:", "postgresql+psycopg:", "postgres:")):
        return _postgresql
    raise StoreError(
        f"unsupported store URL {url!r}: use sqlite:// (memory), sqlite:///FILE or postgresql+psycopg://HOST/DB"
    )


def open_engine(url: str) -> Opened:
    try:
        return _factory(url)(url)
    except (ArgumentError, ValueError) as error:
        raise StoreError(f"bad store URL {url!r}: {error}") from None
