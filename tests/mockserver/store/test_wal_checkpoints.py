"""A SQLite store's log is copied back into the database after units of work, out of the writers' queue: never
inside a commit, where every writer of every process would wait for it."""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert

from mockserver.store import Store, wal_checkpoints
from mockserver.store.tables import mock_state

EVERY = 3


def wal_frames(database: Path) -> tuple[int, int]:
    """(frames in the log, frames of them copied back into the database), from the log's index: the first header's
    mxFrame, then nBackfill after the header's two copies (https://sqlite.org/walformat.html)."""
    index = Path(f"{database}-shm").read_bytes()
    return int.from_bytes(index[16:20], sys.byteorder), int.from_bytes(index[96:100], sys.byteorder)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setattr(wal_checkpoints, "CHECKPOINT_EVERY", EVERY)
    opened = Store(f"sqlite:///{tmp_path / 'store.db'}")  # its first unit of work creates the tables
    yield opened
    opened.dispose()


def write(store: Store, rows: int, prefix: str) -> None:
    with store.transaction() as connection:
        connection.execute(insert(mock_state), [{"name": f"{prefix}{i}", "value": "x" * 3000} for i in range(rows)])


def test_a_commit_past_sqlites_checkpoint_size_leaves_the_checkpoint_until_out_of_the_queue(store, tmp_path):
    write(store, 1500, "big")  # well past the 1,000 pages that make SQLite checkpoint in the commit
    frames, copied = wal_frames(tmp_path / "store.db")
    assert frames > 1000
    assert copied == 0, "the commit checkpointed, inside the writers' queue"
    write(store, 1, "small")  # the third unit of work: checkpoints once out of the queue
    frames, copied = wal_frames(tmp_path / "store.db")
    assert copied == frames > 1000


def test_a_checkpoint_due_after_a_write_on_the_event_loop_runs_in_a_worker_thread(tmp_path: Path) -> None:
    """A write the contract keeps small may run on the loop (worker_threads.py); the checkpoint it would run
    (milliseconds, more after a large import) is handed to the loop's thread pool."""
    checkpoints = wal_checkpoints.WalCheckpoints(create_engine(f"sqlite:///{tmp_path / 'store.db'}"))
    checkpoints._every = 1
    ran_in: list[int] = []
    checkpoints._checkpoint = lambda: ran_in.append(threading.get_ident())  # type: ignore[method-assign]

    async def on_the_loop() -> int:
        checkpoints.after_write(in_a_thread=True)
        while not ran_in:
            await asyncio.sleep(0.001)
        return threading.get_ident()

    loop_thread = asyncio.run(on_the_loop())
    checkpoints.after_write()
    assert ran_in[0] != loop_thread and ran_in[1] == threading.get_ident()
