"""Writers of one SQLite file queue, in this process and across processes: a waiting writer is let in by the end of
the unit of work before it, never turned away by SQLite's lock (its busy handler polls); a unit of work begun inside
another still fails rather than hangs; the lock goes with a process that dies."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import InvalidRequestError, OperationalError

from mockserver.store import Store, engines, writer_queue
from mockserver.store.tables import tenants
from mockserver.store.writer_queue import lock_file_of, shared_queue

pytestmark = pytest.mark.skipif(writer_queue.fcntl is None, reason="no flock on this platform")

HOLDER = """
import sys
from sqlalchemy import insert
from mockserver.store import Store
from mockserver.store.tables import tenants

store = Store(sys.argv[1])
with store.transaction() as connection:
    connection.execute(insert(tenants).values(tenant="first"))
    print("holding", flush=True)
    sys.stdin.readline()
print("committed", flush=True)
"""

SAFETY_S = 60  # bounds a hang, asserts no speed
LOCKED = (OperationalError, sqlite3.OperationalError)  # BEGIN goes through the driver (engines.py)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Meeting SQLite's lock fails at once: a writer that waits has waited in the queue.
    monkeypatch.setattr(engines, "SQLITE_BUSY_TIMEOUT_S", 0)
    return tmp_path / "store.db"


@contextmanager
def holder(database: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process, inside a unit of work that has written, until a line is sent to it."""
    command = [sys.executable, "-c", HOLDER, f"sqlite:///{database}"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline() == "holding\n"
        yield process
    finally:
        process.kill()
        process.wait(SAFETY_S)


def tenants_seen(store: Store) -> list[str]:
    with store.snapshot() as connection:
        return sorted(connection.execute(select(tenants.c.tenant)).scalars())


def waits_on_the_lock_file(database: Path) -> bool:
    """The kernel lists a writer blocked on the queue's file lock (Linux: /proc/locks, "->" before the lock)."""
    try:
        inode = lock_file_of(database).stat().st_ino
    except FileNotFoundError:
        return False
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if len(fields) > 6 and fields[1] == "->" and fields[6].rsplit(":", 1)[-1] == str(inode):
            return True
    return False


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + SAFETY_S
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.005)


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs /proc/locks to see a waiting writer")
def test_a_writer_of_another_process_waits_in_the_queue_and_is_let_in_by_the_commit(database):
    store = Store(f"sqlite:///{database}")
    outcome: list[object] = []

    def writer() -> None:
        try:
            with store.transaction() as connection:
                seen = sorted(connection.execute(select(tenants.c.tenant)).scalars())
                connection.execute(insert(tenants).values(tenant="second"))
            outcome.append(seen)
        except LOCKED as error:
            outcome.append(error)

    with holder(database) as other:
        thread = threading.Thread(target=writer)
        thread.start()
        until(lambda: not thread.is_alive() or waits_on_the_lock_file(database))
        assert other.stdin is not None and other.stdout is not None
        other.stdin.write("go\n")
        other.stdin.flush()
        assert other.stdout.readline() == "committed\n"
        thread.join(SAFETY_S)
    assert outcome == [["first"]], "the writer was turned away by SQLite's lock instead of waiting for its turn"
    assert tenants_seen(store) == ["first", "second"]
    store.dispose()


def test_the_lock_goes_with_a_process_that_dies_holding_it(database):
    store = Store(f"sqlite:///{database}")
    with holder(database) as other:
        other.kill()
        other.wait(SAFETY_S)
    with store.transaction() as connection:  # neither the queue's lock nor SQLite's is left behind
        connection.execute(insert(tenants).values(tenant="after"))
    assert tenants_seen(store) == ["after"]  # the dead process's write is rolled back
    store.dispose()


@pytest.mark.parametrize("stores", ["one store", "two stores on one file"])
def test_a_unit_of_work_begun_inside_another_fails_and_never_hangs(database, stores):
    """In one store it meets its own kept connection in a transaction and fails at once; in another store on the
    file, it meets SQLite's lock and fails on the busy timeout."""
    outer = Store(f"sqlite:///{database}")
    inner = outer if stores == "one store" else Store(f"sqlite:///{database}")
    outcome: list[object] = []

    def nested() -> None:
        with outer.transaction() as connection:
            connection.execute(insert(tenants).values(tenant="outer"))
            try:
                with inner.transaction():
                    pass
            except (*LOCKED, InvalidRequestError) as error:
                outcome.append(error)

    thread = threading.Thread(target=nested, daemon=True)
    thread.start()
    thread.join(SAFETY_S)
    assert not thread.is_alive(), "the unit of work begun inside another hangs"
    expected = "begun inside another" if stores == "one store" else "locked"
    assert len(outcome) == 1 and expected in str(outcome[0]), outcome
    assert tenants_seen(outer) == ["outer"]
    for store in {outer, inner}:
        store.dispose()


def test_only_a_store_other_processes_may_open_locks_a_file_beside_it(tmp_path):
    private, shared = Store(), Store(f"sqlite:///{tmp_path / 'store.db'}")
    for store in (private, shared):
        with store.transaction() as connection:
            connection.execute(insert(tenants).values(tenant="t"))
    assert not lock_file_of(private.engine.url.database).exists()
    assert lock_file_of(tmp_path / "store.db").exists()
    for store in (private, shared):
        store.dispose()


def test_without_flock_a_file_store_works_as_before(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_queue, "fcntl", None)  # as on Windows
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    with store.transaction() as connection:
        connection.execute(insert(tenants).values(tenant="t"))
    assert tenants_seen(store) == ["t"]
    assert not lock_file_of(tmp_path / "store.db").exists()
    store.dispose()


def test_a_lock_file_that_cannot_be_opened_leaves_the_store_working_and_says_so(tmp_path, caplog):
    lock_file_of(tmp_path / "store.db").mkdir()  # not a file: opening it fails as an unwritable folder would
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    with store.transaction() as connection:
        connection.execute(insert(tenants).values(tenant="t"))
    assert tenants_seen(store) == ["t"]
    assert "wait by polling" in caplog.text
    store.dispose()


def test_the_queue_is_taken_without_waiting_only_when_nobody_holds_it(database):
    """What a write on the event loop asks: free now, or it goes to a worker thread and waits there."""
    store = Store(f"sqlite:///{database}")
    queue = shared_queue(str(database))
    with holder(database):  # another process in the queue
        assert queue.enter(blocking=False) is False
    taken, held, release = [], threading.Event(), threading.Event()

    def holding() -> None:
        with queue:
            held.set()
            release.wait(SAFETY_S)

    thread = threading.Thread(target=holding)
    thread.start()
    assert held.wait(SAFETY_S)
    taken.append(queue.enter(blocking=False))  # another thread of this process holds it
    release.set()
    thread.join(SAFETY_S)
    taken.append(queue.enter(blocking=False))
    queue.leave()
    assert taken == [False, True]
    store.dispose()


def test_a_holder_that_leaves_soon_is_waited_for_by_a_caller_that_may_wait_a_little(database, monkeypatch):
    """`enter_within`: asks again after each short pause; here the holder leaves during the first one."""
    store = Store(f"sqlite:///{database}")
    queue = shared_queue(str(database))
    held, release, left = threading.Event(), threading.Event(), threading.Event()

    def holding() -> None:
        with queue:
            held.set()
            release.wait(SAFETY_S)
        left.set()

    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        release.set()
        assert left.wait(SAFETY_S)

    thread = threading.Thread(target=holding)
    thread.start()
    assert held.wait(SAFETY_S)
    monkeypatch.setattr(writer_queue.time, "sleep", pause)
    try:
        assert queue.enter_within(SAFETY_S) is True
        queue.leave()
    finally:
        release.set()
        thread.join(SAFETY_S)
        store.dispose()
    assert pauses == [writer_queue.POLL_SECONDS]


def test_a_holder_that_stays_is_given_up_on_after_the_time_allowed(database):
    store = Store(f"sqlite:///{database}")
    queue = shared_queue(str(database))
    with holder(database):  # another process in the queue, for as long as the test needs
        started = time.monotonic()
        assert queue.enter_within(0.01) is False
        assert time.monotonic() - started >= 0.01
    store.dispose()
