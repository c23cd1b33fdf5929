"""A request whose store work blocks holds up nobody else: reads run on the event loop and wait for no writer,
everything else runs in worker threads."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.settings import Settings
from mockserver.worker_threads import (
    WRITERS_BUSY_PATIENCE,
    WRITERS_BUSY_PAUSES,
    WritersBusy,
    before_waiting,
    bounded_write,
    off_the_loop,
    placed,
    read_only,
    writers_patience,
)
from tests.live_server import serve
from tests.stores import held_open

ORACLE_READING = "/fscmRestApi/resources/11.13.18.05/meterReadings/300100141425001"
OVERIT_BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"


def test_other_requests_are_answered_while_a_handler_is_busy():
    app = build_app()
    seeding, release = app.runtime.tenants.ensure, threading.Event()

    def slow_for_one_tenant(connection, tenant):
        if tenant == "busy":
            assert release.wait(20), "never released"
        return seeding(connection, tenant)

    app.runtime.tenants.ensure = slow_for_one_tenant
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        reading = "/api/v3/channel/10001/reading"
        busy = threading.Thread(target=lambda: http.get(reading, headers={"ECI-ApiKey": "busy"}))
        busy.start()
        try:
            with httpx.Client(base_url=url, timeout=5) as other:
                assert other.get("/__admin/health").status_code == 200
        finally:
            release.set()
            busy.join(20)


def test_a_handler_that_awaits_is_refused_rather_than_run_half():
    async def awaits() -> None:
        await asyncio.sleep(0)

    with pytest.raises(RuntimeError, match="must not await"):
        asyncio.run(off_the_loop(awaits)())


def _on_the_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize("store", ["private", "sqlite-file"])
def test_a_read_is_answered_while_another_tenant_s_write_holds_the_store(store, tmp_path: Path):
    url = "sqlite://" if store == "private" else f"sqlite:///{tmp_path / 'store.db'}"
    app = build_app(Settings(store_url=url))
    seeding, holding, release = app.runtime.tenants.ensure, threading.Event(), threading.Event()

    def held_for_the_writer(connection, tenant):
        seeding(connection, tenant)
        if tenant == "writer":  # inside its write transaction, as a long import would be
            holding.set()
            assert release.wait(30), "never released"

    app.runtime.tenants.ensure = held_for_the_writer
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        assert http.get(ORACLE_READING, auth=("reader", "x")).status_code == 200  # seeded before the write
        writer = threading.Thread(
            target=lambda: http.patch(
                OVERIT_BATCH, json=[{"id": 3101, "value": 1}], headers={"Authorization": "Bearer writer"}
            )
        )
        writer.start()
        try:
            assert holding.wait(10)
            with httpx.Client(base_url=url, timeout=10) as reader:
                assert reader.get(ORACLE_READING, auth=("reader", "x")).status_code == 200
            assert writer.is_alive(), "the write ended before the read was answered"
        finally:
            release.set()
            writer.join(30)


def test_a_read_is_answered_while_every_worker_thread_waits_for_the_write_lock():
    """Reads do not queue for a worker thread: 48 writes waiting behind one held write take every one of them."""
    app = build_app()
    seeding, holding, release = app.runtime.tenants.ensure, threading.Event(), threading.Event()

    def held_for_the_writer(connection, tenant):
        seeding(connection, tenant)
        if tenant == "writer":
            holding.set()
            assert release.wait(60), "never released"

    app.runtime.tenants.ensure = held_for_the_writer
    with serve(app) as url, httpx.Client(base_url=url, timeout=60, limits=httpx.Limits(max_connections=64)) as http:
        assert http.get(ORACLE_READING, auth=("reader", "x")).status_code == 200

        def write(tenant: str) -> None:
            http.patch(OVERIT_BATCH, json=[{"id": 3101, "value": 1}], headers={"Authorization": f"Bearer {tenant}"})

        writers = [threading.Thread(target=write, args=("writer",))]
        writers[0].start()
        try:
            assert holding.wait(10)
            writers += [threading.Thread(target=write, args=(f"queued-{n}",)) for n in range(48)]  # anyio lends 40
            for writer in writers[1:]:
                writer.start()
            with httpx.Client(base_url=url, timeout=10) as reader:
                assert reader.get(ORACLE_READING, auth=("reader", "x")).status_code == 200
        finally:
            release.set()
            for writer in writers:
                writer.join(60)


@contextmanager
def units_of_work_seen(app) -> Iterator[list[tuple[str, bool]]]:
    """Each unit of work begun, and whether it was begun on the event loop."""
    seen: list[tuple[str, bool]] = []
    store = app.runtime.store

    def recorded(kind: str, begin: Callable):
        @contextmanager
        def unit():
            with begin() as connection:
                seen.append((kind, _on_the_loop()))
                yield connection

        return unit

    store.snapshot, store.transaction = recorded("read", store.snapshot), recorded("write", store.transaction)
    yield seen


def test_reads_and_bounded_writes_run_on_the_event_loop_and_other_writes_in_worker_threads():
    app = build_app()
    with TestClient(app) as client, units_of_work_seen(app) as seen:
        assert client.get(ORACLE_READING, auth=("seen", "x")).status_code == 200
        seen.clear()  # the tenant is seeded now
        assert client.get(ORACLE_READING, auth=("seen", "x")).status_code == 200
        assert seen == [("read", True)]
        seen.clear()
        assert (
            client.patch(
                OVERIT_BATCH, json=[{"id": 3101, "value": 1}], headers={"Authorization": "Bearer seen"}
            ).status_code
            == 200
        )
        assert seen == [("write", True)]  # at most 50 measures, and the write lock is free
        seen.clear()
        imported = client.post(
            "/api/v3/reading",
            json=[{"channelId": 10001, "readings": [{"time": "2026-03-01T00:00:00Z", "value": 1}]}],
            headers={"ECI-ApiKey": "seen"},
        )
        assert imported.status_code == 200, imported.text
        assert seen[-1] == ("write", False)  # an import has no bound


def test_a_read_whose_answer_has_no_bound_runs_in_a_worker_thread():
    """A channel's readings are as many as were imported (100,000 and more): building that answer on the loop
    would hold up every other request, so only reads of a bounded size are marked read-only."""
    app = build_app()
    with TestClient(app) as client, units_of_work_seen(app) as seen:
        for _ in range(2):
            assert client.get("/api/v3/channel/10001/reading", headers={"ECI-ApiKey": "unbounded"}).status_code == 200
        assert ("read", True) not in seen and seen[-1] == ("read", False)


def test_a_read_that_must_seed_its_tenant_first_moves_to_a_worker_thread():
    app = build_app()
    with TestClient(app) as client, units_of_work_seen(app) as seen:
        assert client.get(ORACLE_READING, auth=("first-sight", "x")).status_code == 200
        # The read begins a unit of work to seed its tenant, still on the loop; seeding leaves it before writing.
        assert seen == [("read", True), ("write", True), ("read", False), ("write", False)]


def test_on_a_store_whose_reads_may_wait_reads_run_in_worker_threads_too():
    app = build_app()
    app.runtime.store.reads_wait = True  # as on PostgreSQL, where a read holds its tenant against a reset
    with TestClient(app) as client, units_of_work_seen(app) as seen:
        for _ in range(2):
            assert client.get(ORACLE_READING, auth=("waits", "x")).status_code == 200
        assert ("read", True) not in seen and seen[-1] == ("read", False)


def test_a_read_only_handler_that_would_wait_is_begun_again_in_a_worker_thread_and_others_start_there():
    began: list[bool] = []

    @read_only
    async def reads() -> str:
        began.append(_on_the_loop())
        before_waiting()
        return "read"

    async def writes() -> str:
        began.append(_on_the_loop())
        return "written"

    assert asyncio.run(placed(reads)()) == "read"
    assert began == [True, False]
    began.clear()
    assert asyncio.run(placed(writes)()) == "written"
    assert began == [False]


@pytest.mark.parametrize(("busy_tries", "in_a_thread"), [(2, False), (len(WRITERS_BUSY_PAUSES) + 1, True)])
def test_a_bounded_write_that_finds_the_writers_busy_waits_on_the_loop_then_leaves_it(busy_tries, in_a_thread):
    """A thread that waits for the writers would hold the store, once its turn comes, while it waits for the loop's
    thread to let it run; on the loop the write begins again after a pause, and leaves only after a few."""
    began: list[bool] = []

    @bounded_write
    async def writes() -> str:
        began.append(_on_the_loop())
        if len(began) <= busy_tries:
            raise WritersBusy
        return "written"

    assert asyncio.run(placed(writes)()) == "written"
    assert began == [True] * min(busy_tries, len(WRITERS_BUSY_PAUSES) + 1) + [not in_a_thread]


def test_only_the_first_try_of_a_bounded_write_may_wait_for_the_writers_on_the_loop():
    """A holder still there after the first short wait is busy with something long: the tries after a pause do not
    hold the loop again."""
    patience: list[float] = []

    @bounded_write
    async def writes() -> str:
        patience.append(writers_patience())
        if len(patience) <= 3:
            raise WritersBusy
        return "written"

    assert asyncio.run(placed(writes)()) == "written"
    assert patience == [WRITERS_BUSY_PATIENCE, 0.0, 0.0, 0.0]
    assert writers_patience() == WRITERS_BUSY_PATIENCE  # outside any handler


def test_a_write_on_the_loop_to_a_store_whose_writers_are_busy_is_stopped_before_it_begins(tmp_path: Path):
    from mockserver.store import Store
    from mockserver.worker_threads import _on_the_loop as on_the_loop_marker

    store = Store(f"sqlite:///{tmp_path / 'store.db'}")
    other = Store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        with held_open(other):
            marked = on_the_loop_marker.set(True)
            try:
                with pytest.raises(WritersBusy), store.transaction():
                    pass
            finally:
                on_the_loop_marker.reset(marked)
    finally:
        store.dispose()
        other.dispose()
