"""On SQLite, units of work keep their connections instead of checking one out of the pool each time: writers,
who take turns, share one; a few threads keep a reader each. What a unit of work sees and refuses is unchanged."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import InvalidRequestError

from mockserver.store import Store, engines
from mockserver.store.engine import _KEPT_READERS
from mockserver.store.tables import tenants
from mockserver.worker_threads import _on_the_loop


@pytest.fixture(params=["private", "sqlite-file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = "sqlite://" if request.param == "private" else f"sqlite:///{tmp_path / 'store.db'}"
    opened = Store(url)
    yield opened
    opened.dispose()


def test_writers_share_one_connection_and_each_commit_is_seen(store: Store) -> None:
    used = []
    for n in range(3):
        with store.transaction() as connection:
            connection.execute(insert(tenants).values(tenant=f"kept-{n}"))
            used.append(connection)

    def elsewhere() -> None:
        with store.transaction() as connection:
            used.append(connection)

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert len({id(connection) for connection in used}) == 1
    with store.snapshot() as connection:
        seen = connection.execute(select(tenants.c.tenant).where(tenants.c.tenant.like("kept-%"))).scalars().all()
    assert sorted(seen) == ["kept-0", "kept-1", "kept-2"]


def test_a_failed_unit_of_work_leaves_nothing_and_the_next_one_works(store: Store) -> None:
    tenant = f"rolled-back-{uuid.uuid4().hex}"
    with pytest.raises(RuntimeError), store.transaction() as connection:
        connection.execute(insert(tenants).values(tenant=tenant))
        raise RuntimeError("a rule refused")
    with store.transaction() as connection:
        assert connection.execute(select(tenants.c.tenant).where(tenants.c.tenant == tenant)).first() is None


@pytest.mark.parametrize("fails", [False, True])
def test_a_unit_of_work_written_on_the_driver_alone_commits_or_rolls_back_whole(store: Store, fails: bool) -> None:
    """Prepared statements run on the raw cursor: SQLAlchemy never begins a transaction of its own, and the unit of
    work ends the driver's."""
    tenant = f"raw-{uuid.uuid4().hex}"

    def write() -> None:
        with store.transaction() as connection:
            cursor = connection.connection.cursor()
            cursor.execute("INSERT INTO tenants (tenant) VALUES (?)", (tenant,))
            cursor.close()
            assert not connection.in_transaction()
            if fails:
                raise RuntimeError("a rule refused")

    if fails:
        with pytest.raises(RuntimeError):
            write()
    else:
        write()
    with store.snapshot() as connection:
        found = connection.execute(select(tenants.c.tenant).where(tenants.c.tenant == tenant)).first()
    assert (found is not None) is not fails
    with store.transaction() as connection:  # the next unit of work begins as usual
        connection.execute(insert(tenants).values(tenant=f"{tenant}-next"))


def test_a_unit_of_work_begun_inside_another_fails_at_once(store: Store) -> None:
    with store.transaction(), pytest.raises(InvalidRequestError), store.transaction():
        pass


def test_a_thread_reads_on_its_kept_connection_and_a_read_inside_a_read_gets_another(store: Store) -> None:
    with store.snapshot() as first, store.snapshot() as inner:
        assert inner is not first
    with store.snapshot() as again:
        assert again is first


def test_only_a_few_threads_keep_a_reader_and_every_thread_reads(store: Store) -> None:
    with store.transaction() as connection:
        connection.execute(insert(tenants).values(tenant="everyone-sees-me"))
    seen: list[bool] = []
    barrier = threading.Barrier(_KEPT_READERS + 4)

    def reader() -> None:
        barrier.wait(10)  # all alive at once: none reuses another's thread id
        with store.snapshot() as connection:
            seen.append(connection.execute(select(tenants.c.tenant)).first() is not None)
        barrier.wait(10)

    threads = [threading.Thread(target=reader) for _ in range(_KEPT_READERS + 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [True] * len(threads)
    assert len(store._kept_readers) <= _KEPT_READERS


def test_disposing_closes_the_kept_connections(store: Store) -> None:
    with store.transaction() as writer:
        pass
    with store.snapshot() as reader:
        pass
    store.dispose()
    assert writer.closed and reader.closed


def test_a_write_on_the_loop_to_a_shared_file_keeps_the_writers_patience_for_the_next(tmp_path: Path) -> None:
    """On the loop, BEGIN on a shared file does not wait for SQLite's lock; the next unit of work waits as before."""
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    marked = _on_the_loop.set(True)
    try:
        with store.transaction() as connection:
            connection.execute(insert(tenants).values(tenant="on-the-loop"))
    finally:
        _on_the_loop.reset(marked)
    with store.transaction() as connection:
        (patience,) = connection.connection.driver_connection.execute("PRAGMA busy_timeout").fetchone()
    store.dispose()
    assert patience == int(engines.SQLITE_BUSY_TIMEOUT_S * 1000)


def test_writes_on_the_loop_one_after_another_switch_the_writers_patience_once(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    statements: list[str] = []
    marked = _on_the_loop.set(True)
    try:
        for number in range(4):
            with store.transaction() as connection:
                if number == 1:
                    connection.connection.driver_connection.set_trace_callback(statements.append)
                connection.execute(insert(tenants).values(tenant=f"on-the-loop-{number}"))
    finally:
        _on_the_loop.reset(marked)
    on_the_loop = list(statements)
    with store.transaction() as connection:
        (patience,) = connection.connection.driver_connection.execute("PRAGMA busy_timeout").fetchone()
    store.dispose()
    statements = on_the_loop
    assert statements and not [statement for statement in statements if "busy_timeout" in statement], statements
    assert patience == int(engines.SQLITE_BUSY_TIMEOUT_S * 1000)


@pytest.mark.parametrize("through", ["driver", "core"])
def test_each_read_on_the_kept_reader_ends_and_the_next_sees_the_last_commit(store: Store, through: str) -> None:
    """A read on the raw cursor (prepared statements) or through Core: either way the read's snapshot ends with it."""

    def seen() -> list[str]:
        with store.snapshot() as connection:
            if through == "core":
                return list(connection.execute(select(tenants.c.tenant).order_by(tenants.c.tenant)).scalars())
            cursor = connection.connection.cursor()
            try:
                return [row[0] for row in cursor.execute("SELECT tenant FROM tenants ORDER BY tenant")]
            finally:
                cursor.close()

    before = seen()
    for name in ("first", "second"):
        with store.transaction() as connection:
            connection.execute(insert(tenants).values(tenant=f"{through}-{name}"))
        assert seen() == sorted([*before, f"{through}-{name}", *([f"{through}-first"] if name == "second" else [])])
