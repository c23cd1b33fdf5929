"""Rows a unit of work read from a SQLite store, kept for the next units of work while they cannot have changed.

A batch of measures reads the rows it judges (50 rows of 11 columns: about a third of the batch's work), and the
next batch on the same element reads them again. Kept here, a unit of work that may write finds them in memory
as long as the store proves that no row changed since they were read:

- no other connection committed: SQLite's `PRAGMA data_version` on the store's one writer connection changes when
  any other connection (another worker process, another store on the same file) commits. It is read once the
  unit of work holds the write lock, so nothing can commit between the check and the unit of work's end;
- every row this connection changed was accounted for by whoever changed it, who revised what it kept
  (`changed`): otherwise (a reset, a fixture load, a tenant seeded, any other write) the whole cache is dropped
  when the unit of work ends. A unit of work that does not commit drops it too.

Reads kept here are only those a unit of work that may write takes (on the writer connection, under its lock).
Read-only units of work read their snapshot as before. PostgreSQL has no such counter: nothing is kept there.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import Connection

KEPT_GROUPS = 256
"""Groups (one measuring element of one tenant, say) kept at most; the least recently used is dropped first."""

KEPT_KEYS = 16
"""Values kept at most for one group (the spans of one element that batches named, say); the oldest goes first."""

KEPT_ROWS = 256
"""A read of more rows than this is not kept."""

KEPT_ROWS_IN_ALL = 4096
"""Rows kept at most, all groups together (a measure's note may hold 4,000 characters); least recently used first."""

_INFO_KEY = "mockserver read cache"

T = TypeVar("T")


class ReadCache:
    """One per store; used by one unit of work at a time (the writers' queue lets one in at a time)."""

    def __init__(self) -> None:
        # group -> key -> (value, the rows it was read from)
        self._groups: OrderedDict[Hashable, dict[Hashable, tuple[Any, int]]] = OrderedDict()
        self._rows = 0
        self._writer: sqlite3.Connection | None = None
        self._data_version: int | None = None
        self._changes_at_begin = 0
        self._accounted = 0

    def opened(self, connection: Connection) -> None:
        """The unit of work on ``connection`` (the store's writer) has begun and holds the write lock."""
        driver = connection.connection.driver_connection
        if not self._groups:
            self._data_version = None
        elif driver is not self._writer or self._version(driver) != self._data_version:
            self._forget()
        self._writer = driver
        self._changes_at_begin = driver.total_changes
        self._accounted = 0
        connection.info[_INFO_KEY] = self

    def closed(self, connection: Connection, *, committed: bool) -> None:
        """The unit of work has ended: committed, or not (then nothing kept can be trusted)."""
        connection.info.pop(_INFO_KEY, None)
        writer = self._writer
        if not committed or writer is None or writer.total_changes - self._changes_at_begin != self._accounted:
            self._forget()

    def _forget(self) -> None:
        self._groups.clear()
        self._rows = 0
        self._writer = None
        self._data_version = None

    @staticmethod
    def _version(driver: sqlite3.Connection) -> int:
        (version,) = driver.execute("PRAGMA data_version").fetchone()
        return int(version)

    def get(self, group: Hashable, key: Hashable) -> Any | None:
        entries = self._groups.get(group)
        if entries is None:
            return None
        self._groups.move_to_end(group)
        kept = entries.get(key)
        return None if kept is None else kept[0]

    def put(self, group: Hashable, key: Hashable, value: Any, rows: int) -> None:
        """Keep ``value``, read from ``rows`` rows, unless there are too many."""
        if rows > KEPT_ROWS:
            return
        entries = self._groups.get(group)
        if entries is None:
            entries = self._groups[group] = {}
        self._groups.move_to_end(group)
        if key in entries:
            self._rows -= entries.pop(key)[1]
        elif len(entries) >= KEPT_KEYS:
            self._rows -= entries.pop(next(iter(entries)))[1]
        entries[key] = (value, rows)
        self._rows += rows
        while len(self._groups) > KEPT_GROUPS or self._rows > KEPT_ROWS_IN_ALL:
            _, dropped = self._groups.popitem(last=False)
            self._rows -= sum(kept_rows for _, kept_rows in dropped.values())
        if self._data_version is None and self._writer is not None:
            # Read inside the unit of work, under its write lock: the version of the state just read.
            self._data_version = self._version(self._writer)

    def changed(self, group: Hashable, rows: int, revise: Callable[[Hashable, Any], Any]) -> None:
        """``rows`` rows of ``group`` were just written in this unit of work: each value kept for it is replaced by
        ``revise(key, value)``, which is what reading it again would give."""
        self._accounted += rows
        entries = self._groups.get(group)
        if entries is not None:
            for key, (value, kept_rows) in entries.items():
                entries[key] = (revise(key, value), kept_rows)


def remembered(connection: Connection, group: Hashable, key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, or what it answered in an earlier unit of work while nothing changed: for a value read from one
    or a few rows that nobody changes in place (a tuple, a frozenset, None)."""
    cache = of(connection)
    if cache is None:
        return read()
    kept = cache.get(group, key)
    if kept is not None:
        return kept[0]  # type: ignore[no-any-return]
    value = read()
    cache.put(group, key, (value,), rows=1)
    return value


def of(connection: Connection) -> ReadCache | None:
    """The cache the unit of work on ``connection`` may use, or None (PostgreSQL, a read-only unit of work)."""
    return connection.info.get(_INFO_KEY)
