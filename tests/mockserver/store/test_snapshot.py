"""A unit of work that only reads sees the last commit and waits for no writer; the private store lives and dies
with the process that made it."""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError

from mockserver.store import Store
from mockserver.store.engines import PRIVATE_STORE_PREFIX
from mockserver.store.tables import tenants
from mockserver.worker_threads import LeaveTheLoop, _on_the_loop
from tests.stores import held_open


@pytest.fixture(params=["private", "sqlite-file", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = "sqlite://" if request.param == "private" else f"sqlite:///{tmp_path / 'store.db'}"
    opened = Store(url)
    yield opened
    opened.dispose()


def _seen(store: Store, tenant: str) -> bool:
    with store.snapshot() as connection:
        return connection.execute(select(tenants.c.tenant).where(tenants.c.tenant == tenant)).first() is not None


def test_a_read_completes_while_a_writer_holds_its_transaction_open(store):
    tenant = f"held-{uuid.uuid4().hex}"
    with held_open(store, lambda connection: connection.execute(insert(tenants).values(tenant=tenant))) as thread:
        seen: list[bool] = []
        reader = threading.Thread(target=lambda: seen.append(_seen(store, tenant)))
        reader.start()
        reader.join(20)  # the writer goes on holding its transaction all this time
        assert seen == [False], "the read waited for the writer (or saw its uncommitted row)"
        assert thread.is_alive(), "the writer ended before the read did"
    assert _seen(store, tenant)  # and the next read sees the commit


def test_a_write_inside_a_snapshot_fails_rather_than_waiting_for_the_write_lock(tmp_path):
    for store in (Store(), Store(f"sqlite:///{tmp_path / 'store.db'}")):
        with pytest.raises(OperationalError, match="readonly"), store.snapshot() as connection:
            connection.execute(insert(tenants).values(tenant="no"))
        with store.transaction() as connection:  # the connection went back to the pool writable
            connection.execute(insert(tenants).values(tenant="yes"))
        assert _seen(store, "yes") and not _seen(store, "no")
        store.dispose()


def test_on_the_event_loop_only_units_of_work_that_wait_for_nobody_are_allowed(store):
    """A snapshot on SQLite; a write only while the writers' queue and SQLite's lock are free at once."""
    marked = _on_the_loop.set(True)
    try:
        if store.reads_wait:  # PostgreSQL: a read may wait for a reset's lock
            with pytest.raises(LeaveTheLoop), store.snapshot():
                pass
        else:
            assert not _seen(store, "nobody")
        if store.dialect != "sqlite":  # PostgreSQL: a write may wait for another's row or lock
            with pytest.raises(LeaveTheLoop), store.transaction():
                pass
            return
        if store.shared:  # a writer outside the queue (another program) holds SQLite's lock: not waited for
            foreign = sqlite3.connect(store.engine.url.database, isolation_level=None)
            foreign.execute("BEGIN IMMEDIATE")
            try:
                with pytest.raises(LeaveTheLoop), store.transaction():
                    pass
            finally:
                foreign.execute("ROLLBACK")
                foreign.close()
        with store.transaction() as connection:
            connection.execute(insert(tenants).values(tenant="written-on-the-loop"))
        with held_open(store), pytest.raises(LeaveTheLoop), store.transaction():
            pass
    finally:
        _on_the_loop.reset(marked)
    assert _seen(store, "written-on-the-loop")


def test_the_private_store_is_a_file_of_its_own_removed_when_dropped():
    first, second = Store(), Store("sqlite:///:memory:")
    folders = [Path(store.engine.url.database).parent for store in (first, second)]
    assert folders[0] != folders[1] and all(folder.is_dir() for folder in folders)
    assert not first.shared  # several workers would each have their own: refused (tests/scale)
    for store in (first, second):
        store.dispose()
    del first, second, store
    gc.collect()
    assert not any(folder.exists() for folder in folders)


def test_private_stores_left_by_processes_that_no_longer_run_are_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    left = tmp_path / f"{PRIVATE_STORE_PREFIX}{ended.stdout.strip()}-abc"  # as a SIGTERM or kill -9 leaves it
    running = tmp_path / f"{PRIVATE_STORE_PREFIX}{os.getpid()}-def"
    for folder in (left, running):
        folder.mkdir()
        (folder / "store.db").write_bytes(b"")
    store = Store()
    assert not left.exists() and running.exists()
    assert Path(store.engine.url.database).parent.parent == tmp_path
    store.dispose()
