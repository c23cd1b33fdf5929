"""Where the writers of one SQLite store wait for each other: in a queue that hands the store on as soon as its
holder ends, in this process and across processes.

SQLite has one writer at a time. A writer that meets another's lock is left to SQLite's busy handler, which sleeps
and tries again with growing pauses (up to 100 ms a try): it is never woken by the release, so writers of several
processes (uvicorn workers, replicas) on one file pay pauses far longer than the writes they wait for. Here they
queue instead, and SQLite's own lock (BEGIN IMMEDIATE) is found free:

- in this process, on a threading lock: one thread at a time goes further, and a waiting one holds no connection;
- across processes, on an exclusive `flock` of a file beside the store, taken by that one thread. The kernel wakes
  a waiter when the holder releases it, and releases it when the holder's process ends, however it ends.

Always in that order (threading lock first, then the file), so that neither waits on the other in a cycle. The queue
is reentrant and the file lock is taken by the outermost unit of work only: a unit of work begun inside another by
mistake still meets SQLite's lock, and fails on its busy timeout, never hangs. Stores on one file in one process
share one queue, for the same reason. SQLite's lock still decides who writes: a writer outside the queue (another
program, or a platform without `flock`, where the queue is this process's only) is waited for as before.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from pathlib import Path
from types import TracebackType

try:
    import fcntl
except ImportError:  # Windows: writers of other processes are left to SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

POLL_SECONDS = 0.00002
"""Between two asks of `enter_within`: the kernel's timer slack makes it about 0.05 ms."""

LOCK_FILE_SUFFIX = "-writers"
"""Beside the store's file, as SQLite's own ``-wal`` and ``-shm``. Never the store's file itself: closing any
descriptor of it would drop the locks SQLite holds on it in this process."""


class WriterQueue:
    """A context manager: entered by a unit of work that may write, before it begins; left after it ends."""

    def __init__(self, descriptor: int | None = None) -> None:
        self._threads = threading.RLock()
        self._depth = 0  # changed only by the thread holding ``_threads``
        self._descriptor = descriptor
        if descriptor is not None:
            weakref.finalize(self, os.close, descriptor)

    def enter(self, *, blocking: bool = True) -> bool:
        """Wait for the queue (or, not ``blocking``, take it only if free now); whether it was taken."""
        if not self._threads.acquire(blocking=blocking):
            return False
        if self._depth == 0 and self._descriptor is not None:
            try:
                fcntl.flock(self._descriptor, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._threads.release()
                return False
            except BaseException:
                self._threads.release()
                raise
        self._depth += 1
        return True

    def enter_within(self, seconds: float) -> bool:
        """Take the queue if it is free now or within ``seconds``, asking again every `POLL_SECONDS`; whether it was
        taken. For a caller that may wait a little, never long: the holder's end wakes nobody here."""
        deadline = time.monotonic() + seconds
        while not self.enter(blocking=False):
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)
        return True

    def leave(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._descriptor is not None:
                fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def __enter__(self) -> None:
        self.enter()

    def __exit__(
        self, _type: type[BaseException] | None, _error: BaseException | None, _traceback: TracebackType | None
    ) -> None:
        self.leave()


def lock_file_of(database: str | Path) -> Path:
    return Path(f"{database}{LOCK_FILE_SUFFIX}")


_queues: weakref.WeakValueDictionary[tuple[int, int], WriterQueue] = weakref.WeakValueDictionary()
_queues_lock = threading.Lock()


def private_queue() -> WriterQueue:
    """For a store no other process opens (the private one): its threads queue, no file is locked."""
    return WriterQueue()


def shared_queue(database: str) -> WriterQueue:
    """For the SQLite file ``database``, which other processes may write too: the one queue of this process."""
    if fcntl is None:
        return WriterQueue()
    lock_file = lock_file_of(database)
    try:
        # Read-only is enough to lock it, so a file another user created serves as well.
        descriptor = os.open(lock_file, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as error:
        log.warning("writers of other processes on %s wait by polling: cannot open %s: %s", database, lock_file, error)
        return WriterQueue()
    identity = os.fstat(descriptor)
    key = (identity.st_dev, identity.st_ino)
    with _queues_lock:
        queue = _queues.get(key)
        if queue is not None:
            os.close(descriptor)
            return queue
        queue = _queues[key] = WriterQueue(descriptor)
        return queue
