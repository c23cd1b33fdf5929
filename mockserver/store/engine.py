"""The store and its units of work: one transaction per request or batch, on whichever engine the URL names.

`transaction()` may write: on SQLite it holds the write lock until it ends. `snapshot()` only reads: on SQLite
it sees the last commit and waits for no writer, so a long import holds up no reader.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, MetaData
from sqlalchemy.exc import InvalidRequestError, OperationalError

from mockserver.store import locks
from mockserver.store.engines import StoreError, open_engine
from mockserver.store.read_cache import ReadCache
from mockserver.store.table_shapes import create_or_check
from mockserver.worker_threads import LeaveTheLoop, WritersBusy, before_waiting, on_the_loop, writers_patience

# Every table of every API registers on this one MetaData, so `create_all` builds the whole store.
metadata = MetaData()

SCHEMA: locks.Name = ("schema",)

_KEPT_READERS = 4
"""Threads that keep a reader connection of their own (the pool holds 15; the rest check one out per read)."""


def _ended(connection: Connection, driver: sqlite3.Connection, *, commit: bool) -> None:
    """End the kept writer's transaction: through SQLAlchemy where a Core statement made it begin one, else on the
    driver."""
    if connection.in_transaction():
        connection.commit() if commit else connection.rollback()
    elif driver.in_transaction:
        driver.commit() if commit else driver.rollback()


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
        # Reentrant: a unit of work begun inside another by mistake fails at once (see `transaction`), never hangs
        # (writer_queue.py). PostgreSQL: nothing, its writers wait on the rows and locks they need.
        self._writer = opened.writers
        self._after_write = opened.after_write
        self._kept_writer: Connection | None = None
        self._patience: int | None = None
        """The kept writer's `busy_timeout` while it begins without waiting (0); None while it waits as configured."""
        self._kept_readers: dict[int, Connection] = {}
        self._read_cache = ReadCache()
        self._keeping = threading.Lock()
        try:
            with self.transaction() as connection:
                # Workers and replicas start together: one creates the tables, the others find them.
                locks.exclusive(connection, SCHEMA)
                create_or_check(connection, metadata, repr(self.engine.url))
        except StoreError:
            self.dispose()
            raise
        except OperationalError as error:
            self.dispose()
            raise StoreError(f"cannot open the store {self.engine.url!r}: {error.orig}") from None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        if self.dialect != "sqlite":
            before_waiting()
            with self._writer, self.engine.begin() as connection:
                yield connection
            return
        # On the event loop a write may go ahead only if it waits for next to nothing: the writers' queue (of every
        # process, on a shared file) is free within `writers_patience()`, and SQLite's own lock is free then
        # (see `_begun`).
        on_the_loop_now = on_the_loop()
        if on_the_loop_now and not self._writer.enter_within(writers_patience()):
            raise WritersBusy
        if not on_the_loop_now:
            before_waiting()
            self._writer.enter()
        try:
            # Writers take turns in the queue, so one kept connection serves them all: checking one out of the pool
            # and back in cost about as much as a small read. A unit of work begun inside another fails at once (the
            # connection is in a transaction already).
            connection = self._kept_writer
            if connection is None or connection.closed:
                connection = self._kept_writer = self.engine.connect()
                self._patience = None
            driver = self._begun(connection, waiting=not (on_the_loop_now and self.shared))
            try:
                self._read_cache.opened(connection)
                yield connection
            except BaseException:
                self._finished(connection, driver, commit=False)
                raise
            self._finished(connection, driver, commit=True)
        finally:
            self._writer.leave()
        self._after_write(in_a_thread=on_the_loop_now)

    def _finished(self, connection: Connection, driver: sqlite3.Connection, *, commit: bool) -> None:
        """The kept writer's unit of work ended; what the read cache kept in it stays only if it committed."""
        try:
            _ended(connection, driver, commit=commit)
        except BaseException:
            self._read_cache.closed(connection, committed=False)  # the commit failed
            raise
        self._read_cache.closed(connection, committed=commit)

    def _begun(self, connection: Connection, *, waiting: bool) -> sqlite3.Connection:
        """The kept writer's transaction begun (BEGIN IMMEDIATE, on the driver: SQLAlchemy's own begin and commit
        cost as much again as SQLite's, on every unit of work); its driver connection. Not ``waiting``: only if
        SQLite's lock is free at once. On a shared file a writer outside the queue (another program) may hold it; on
        the loop that is found out at once, nothing written, and the unit of work begins again in a worker thread.

        A unit of work begun inside another fails at once. Core statements in the unit of work make SQLAlchemy
        begin a transaction of its own, which takes over the driver's (engines.py), and `_ended` ends it.

        The kept writer's `busy_timeout` is switched only when the kind of begin changes (three statements per unit
        of work, when writes on the loop were switching it off and back each time)."""
        driver = connection.connection.driver_connection
        if driver.in_transaction or connection.in_transaction():
            raise InvalidRequestError("a unit of work was begun inside another, on the same connection")
        if waiting:
            if self._patience is not None:
                driver.execute(f"PRAGMA busy_timeout = {self._patience}")
                self._patience = None
            try:
                driver.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                raise OperationalError("BEGIN IMMEDIATE", None, error) from None
            return driver
        if self._patience is None:
            (patience,) = driver.execute("PRAGMA busy_timeout").fetchone()
            driver.execute("PRAGMA busy_timeout = 0")
            self._patience = int(patience)
        try:
            driver.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            connection.invalidate()  # whatever state the failed BEGIN left, this connection is not reused
            self._kept_writer = None
            self._patience = None
            raise LeaveTheLoop from None
        return driver

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """A unit of work that only reads. On SQLite: a consistent snapshot of the last commit that waits for no
        writer, and a write in it fails at once; on PostgreSQL: a transaction as any other (see `reads_wait`)."""
        if self.reads_wait:
            before_waiting()
        connection = self._kept_reader()
        if connection is None:
            with self._reader.begin() as connection:
                yield connection
            return
        # Begun and ended on the driver, as the kept writer's (see `_begun`): a Core statement in it makes SQLAlchemy
        # take the driver's transaction over, and `_ended` ends it.
        driver = connection.connection.driver_connection
        driver.execute("BEGIN")
        try:
            yield connection
        except BaseException:
            _ended(connection, driver, commit=False)
            raise
        _ended(connection, driver, commit=True)

    def _kept_reader(self) -> Connection | None:
        """This thread's kept reader connection (SQLite; for a few threads: the event loop's, where read-only
        handlers run, and the first workers'); None where it has none or is reading already."""
        if self.dialect != "sqlite":
            return None
        thread = threading.get_ident()
        connection = self._kept_readers.get(thread)
        if connection is None or connection.closed:
            with self._keeping:
                if len(self._kept_readers) >= _KEPT_READERS and thread not in self._kept_readers:
                    return None
                connection = self._kept_readers[thread] = self._reader.connect()
        busy = connection.in_transaction() or connection.connection.driver_connection.in_transaction
        return None if busy else connection

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
        for connection in [*self._kept_readers.values(), self._kept_writer]:
            if connection is not None:
                connection.close()
        self._kept_readers.clear()
        self._kept_writer = None
        self._reader.dispose()
        self.engine.dispose()
