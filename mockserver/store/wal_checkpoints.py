"""When a SQLite store copies its write-ahead log back into the database file: after a unit of work has left the
writers' queue, never inside it.

SQLite's own automatic checkpoint runs inside the COMMIT that fills the log past 1,000 pages, on the writer that
happens to commit, and takes milliseconds (it copies pages and syncs the file). A checkpoint needs no write lock,
so other writers may go on meanwhile; but run there it holds the writers' queue (writer_queue.py), and every writer
of every process would wait for it. So writers turn it off, and every `CHECKPOINT_EVERY`-th unit of work of a
process runs a passive checkpoint once out of the queue: it waits for nobody and whoever writes meanwhile is not
held up (a checkpoint already running elsewhere makes it a no-op).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3

from sqlalchemy import Engine

log = logging.getLogger(__name__)

CHECKPOINT_EVERY = 100
"""Units of work of a process between checkpoints: about the 1,000 log pages SQLite waits for, for small ones."""


class WalCheckpoints:
    def __init__(self, writer: Engine) -> None:
        self._writer = writer
        self._every = CHECKPOINT_EVERY
        self._writes = itertools.count(1)  # next() is atomic: no lock

    def after_write(self, *, in_a_thread: bool = False) -> None:
        """Called by a unit of work that has committed, once out of the writers' queue; ``in_a_thread``: by one on the
        event loop, where a checkpoint (milliseconds, more after a large import) must not run, so it is handed to
        the loop's thread pool."""
        if next(self._writes) % self._every:
            return
        if in_a_thread:
            asyncio.get_running_loop().run_in_executor(None, self._checkpoint)
            return
        self._checkpoint()

    def _checkpoint(self) -> None:
        connection = self._writer.raw_connection()
        try:
            connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()  # type: ignore[union-attr]
        except sqlite3.Error as error:  # the unit of work has committed: its answer stands, the next one tries again
            log.warning("checkpoint of %s failed: %s", self._writer.url, error)
        finally:
            connection.close()
