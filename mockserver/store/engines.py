"""One engine factory per URL scheme: the private store (the default), SQLite in a file, PostgreSQL through
psycopg 3.

What differs between them is decided here, once: how a transaction begins, which connection settings
apply, where writers queue, whether several processes may share the store, and whether a read can wait for a writer.

The private store is a SQLite file of its own in the temporary folder, removed when the store is dropped or the
process exits. SQLite keeps an in-memory database on one connection, so a read there waits for every write;
in a file in WAL mode, a read sees the last commit and waits for no writer, however long the write runs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError

from mockserver.store.wal_checkpoints import WalCheckpoints
from mockserver.store.writer_queue import private_queue, shared_queue

# A file store waits this long for a write outside its writers' queue (writer_queue.py) to finish before giving up
# (SQLITE_BUSY).
SQLITE_BUSY_TIMEOUT_S = 30.0


class StoreError(Exception):
    """The store URL names no store we can open, or the store does not answer."""


@dataclass(frozen=True)
class Opened:
    engine: Engine
    shared: bool  # several processes (workers, replicas) may use this store at once
    reads_wait: bool  # a read-only unit of work may wait for a writer (a lock, the network)
    reader: Engine | None = None  # where read-only units of work run, when not on ``engine``
    # Entered around every unit of work that may write, before it begins and until it ends (writer_queue.py).
    writers: AbstractContextManager[object] = field(default_factory=nullcontext)
    # Called by a unit of work that has committed, once out of ``writers`` (wal_checkpoints.py).
    after_write: Callable[..., None] = lambda **_: None


PRIVATE_STORE_PREFIX = "mockserver-store-"


def _sqlite_private(url: str) -> Opened:
    _sweep_private_stores()
    folder = Path(tempfile.mkdtemp(prefix=f"{PRIVATE_STORE_PREFIX}{os.getpid()}-"))
    # Nothing outlives the process, so nothing is synced to disk: the file is a cache the OS keeps in memory.
    opened = _sqlite_wal(f"sqlite:///{folder / 'store.db'}", synchronous="OFF", shared=False, writers=private_queue())
    weakref.finalize(opened.engine, shutil.rmtree, folder, ignore_errors=True)  # when dropped, or at exit
    return opened


def _sweep_private_stores() -> None:
    """Remove the private stores of processes that no longer run. A process ended by a signal runs no exit
    handler (uvicorn ends on SIGTERM by raising it again once it has shut down), nor does one killed with -9."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PRIVATE_STORE_PREFIX}*-*"):
        owner = folder.name.removeprefix(PRIVATE_STORE_PREFIX).split("-", 1)[0]
        if owner.isdigit() and not _running(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _sqlite_file(url: str) -> Opened:
    database = make_url(url).database
    writers = shared_queue(database) if database else private_queue()
    return _sqlite_wal(url, synchronous="NORMAL", shared=True, writers=writers)


def _sqlite_wal(url: str, *, synchronous: str, shared: bool, writers: AbstractContextManager[object]) -> Opened:
    """A writer engine, and a reader engine on the same file whose transactions only read."""
    writer, reader = (
        create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S})
        for _ in range(2)
    )

    def _configure(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # The driver's own transaction handling starts a transaction only at the first write, so a read
        # that decides a write would run outside it; the store begins transactions itself instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA wal_autocheckpoint=0")  # not inside a commit, in the writers' queue: after it
        cursor.close()

    @event.listens_for(writer, "begin")
    def _begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
        # A unit of work that may write takes the file's write lock up front: writers in all processes
        # serialise and a read-then-write can never be overtaken by another process's commit. Queued writers
        # (writer_queue.py) find it free; SQLite's lock still decides, whoever else writes. Sent through the
        # driver: the same statement without SQLAlchemy's statement machinery, on every unit of work. The store's
        # kept writer begins on the driver itself (`Store._begun`): SQLAlchemy's transaction then takes that one over.
        driver = connection.connection.driver_connection
        if not driver.in_transaction:
            driver.execute("BEGIN IMMEDIATE")

    @event.listens_for(reader, "connect")
    def _read_only(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # A write here fails at once, rather than waiting for the write lock where nothing may wait.
        dbapi_connection.execute("PRAGMA query_only=ON")

    @event.listens_for(reader, "begin")
    def _begin_deferred(connection) -> None:  # type: ignore[no-untyped-def]
        # In WAL mode the first read fixes a snapshot of the last commit; no lock is waited for (through the driver,
        # as above; a kept reader begins on the driver itself, `Store.snapshot`).
        driver = connection.connection.driver_connection
        if not driver.in_transaction:
            driver.execute("BEGIN")

    event.listen(writer, "connect", _configure)
    event.listen(reader, "connect", _configure, insert=True)  # WAL before query_only
    checkpoints = WalCheckpoints(writer)
    return Opened(
        writer, shared=shared, reads_wait=False, reader=reader, writers=writers, after_write=checkpoints.after_write
    )


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
