"""tesma's statements on the raw cursor: the same state and answers on every store, no statement built per request,
and nothing written when a job has not moved."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from mockserver.apis.tesma import repository
from mockserver.apis.tesma.schedule import Progress
from mockserver.app import MockApp, build_app
from mockserver.job_pace import JobPace
from mockserver.settings import Settings
from mockserver.timestamps import parse_datetime

GROUP = "ACME"
FIELD = "Name des Mitarbeiters (ü)"
ONE_A_SECOND = JobPace(per_second=1, start_delay=timedelta())
FIXTURE = {
    "tesma": {
        "corporateGroups": [{"name": GROUP, "customerSpecificFields": [FIELD, "Room"]}, {"name": "OTHER"}],
        "assets": [
            {"assetId": 1, "corporateGroup": GROUP, "serialNumber": "S1", "customerSpecificFields": {FIELD: "Ana"}},
            {"assetId": 2, "corporateGroup": "OTHER"},
            {"assetId": 3, "corporateGroup": GROUP, "customerSpecificFields": {"Room": "7"}},
        ],
        "jobs": [
            {"id": 1, "corporateGroup": GROUP, "createDate": "2026-01-01T00:00:00Z",
             "startDate": "2026-01-01T00:00:01Z", "processed": 1, "status": "inProgress",
             "items": [{"patch": {"assetId": 404}, "errors": ["gone"]},
                       {"patch": {"assetId": 3, "location": "Höhe 2", "customerSpecificFields": {"Room": None}}}]},
        ],
    }
}  # fmt: skip
HEADERS = {"CorporateGroup-Name": GROUP}


@pytest.fixture(params=["sqlite-file", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'store.db'}"


@contextmanager
def mock_on(store_url: str, tenant: str) -> Iterator[tuple[MockApp, TestClient]]:
    app = build_app(Settings(store_url=store_url, job_pace=ONE_A_SECOND))
    try:
        with TestClient(app) as client:
            assert client.post("/__admin/fixtures", params={"tenant": tenant}, json=FIXTURE).status_code == 200
            yield app, client
    finally:
        app.runtime.store.dispose()


def test_jobs_and_assets_read_and_write_alike_on_every_store(store_url):
    tenant = f"repo-{uuid.uuid4().hex}"
    headers = {"X-API-KEY": tenant, **HEADERS}
    body = [
        {"assetId": 1, "serialNumber": "Zwölf", "customerSpecificFields": {FIELD: "Jürgen", "Room": "9"}},
        {"assetId": 2, "orderNumber": "not ours"},
        {"assetId": 3, "customerSpecificFields": {"Unknown": "x"}},
        {"assetId": 99},
    ]
    with mock_on(store_url, tenant) as (_app, client):
        created = client.patch("/v1/leases/assets", json=body, headers=headers)
        assert created.status_code == 202
        assert created.json()["id"] == 2
        # the fixture's job ended on the way (its last item was due long ago); the new one runs now
        assert client.post("/__admin/jobs/run", params={"tenant": tenant}).json()["jobs"] == {"tesma": 1}
        first = client.get("/v1/leases/assets/bulkpatches/1", headers=headers).json()
        second = client.get("/v1/leases/assets/bulkpatches/2", headers=headers).json()
        state = client.get("/__admin/state", params={"tenant": tenant}).json()["tesma"]
    assert (first["status"], first["assetsSuccessfullyUpdated"], first["errors"]) == (
        "partiallySuccessful", 1, [{"assetId": 404, "errors": ["gone"]}]
    )  # fmt: skip
    assert (second["status"], second["assetsSuccessfullyUpdated"]) == ("partiallySuccessful", 1)
    assert second["errors"] == [
        {"assetId": 2, "errors": ["Either an asset with the id '2' does not exist or it is not accessible to you."]},
        {"assetId": 3, "errors": ["The customer specific field 'Unknown' does not exist."]},
        {"assetId": 99, "errors": ["Either an asset with the id '99' does not exist or it is not accessible to you."]},
    ]
    assets = {asset["assetId"]: asset for asset in state["assets"]}
    assert assets[1] == {"assetId": 1, "corporateGroup": GROUP, "serialNumber": "Zwölf",
                         "customerSpecificFields": {FIELD: "Jürgen", "Room": "9"}}  # fmt: skip
    assert assets[3] == {"assetId": 3, "corporateGroup": GROUP, "location": "Höhe 2"}
    assert state["jobs"][0]["items"] == FIXTURE["tesma"]["jobs"][0]["items"]
    assert [item["patch"] for item in state["jobs"][1]["items"]] == body


def _statements_on_tesma_tables(app: MockApp) -> list[str]:
    seen: list[str] = []

    @event.listens_for(app.runtime.store.engine, "before_execute")
    def _seen(connection: Any, statement: Any, *args: Any) -> None:
        if "tesma_" in str(statement):
            seen.append(str(statement))

    return seen


def test_a_bulk_patch_and_the_jobs_it_advances_build_no_statement_per_request(tmp_path):
    tenant = "statements"
    headers = {"X-API-KEY": tenant, **HEADERS}
    with mock_on(f"sqlite:///{tmp_path / 'store.db'}", tenant) as (app, client):
        client.patch("/v1/leases/assets", json=[{"assetId": 1}], headers=headers)  # the tenant seen once
        seen = _statements_on_tesma_tables(app)
        job = client.patch("/v1/leases/assets", json=[{"assetId": 1}, {"assetId": 2}], headers=headers).json()
        app.runtime.clock.advance(timedelta(seconds=30))
        assert client.get(f"/v1/leases/assets/bulkpatches/{job['id']}", headers=headers).json()["errors"]
    assert seen == []


def test_a_job_found_where_the_last_request_left_it_is_not_written(tmp_path):
    tenant = "unmoved"
    with mock_on(f"sqlite:///{tmp_path / 'store.db'}", tenant) as (app, client):
        headers = {"X-API-KEY": tenant, **HEADERS}
        client.patch("/v1/leases/assets", json=[{"assetId": 1}, {"assetId": 3}], headers=headers)
        app.runtime.clock.advance(timedelta(seconds=1.5))
        client.get("/v1/leases/assets/bulkpatches/2", headers=headers)  # one of its two items handled
        with app.runtime.unit_of_work(tenant) as connection:
            [row] = repository._unfinished_jobs(connection, tenant, after=None)
            assert (row.job_id, row.processed) == (2, 1)
            unmoved = Progress(row.job_id, parse_datetime(row.start_date), row.processed, None)
            sqlite = connection.connection.driver_connection
            changes = sqlite.total_changes
            repository.advance(connection, tenant, unmoved)
            assert sqlite.total_changes == changes


def test_a_request_that_finds_the_first_job_running_reads_no_more_of_the_queue(tmp_path, monkeypatch):
    tenant = "queue"
    headers = {"X-API-KEY": tenant, **HEADERS}
    with mock_on(f"sqlite:///{tmp_path / 'store.db'}", tenant) as (app, client):
        for _ in range(repository._PENDING_PAGE + 1):
            client.patch("/v1/leases/assets", json=[{"assetId": 1}, {"assetId": 3}], headers=headers)
        app.runtime.clock.advance(timedelta(seconds=1.5))  # the first of them has handled one of its items
        pages: list[int] = []
        unfinished = repository._unfinished_jobs

        def counted(*args: Any, **kwargs: Any) -> list[repository.JobRow]:
            page = unfinished(*args, **kwargs)
            pages.append(len(page))
            return page

        monkeypatch.setattr(repository, "_unfinished_jobs", counted)
        assert client.get("/v1/leases/assets/bulkpatches/2", headers=headers).json()["status"] == "inProgress"
    assert pages == [repository._FIRST_PAGE]


def test_the_queue_is_read_from_indexes_however_many_jobs_have_finished(tmp_path):
    """Every request reads the first unfinished jobs and when the last finished one ended; both used to walk every
    job the tenant had finished, and SQLite's planner keeps choosing that walk while its statistics (refreshed on a
    fixture load, here of a single job) say the table is small."""
    tenant = "indexed"
    with mock_on(f"sqlite:///{tmp_path / 'store.db'}", tenant) as (app, client):
        for _ in range(3):
            client.patch("/v1/leases/assets", json=[{"assetId": 1}], headers={"X-API-KEY": tenant, **HEADERS})
        with app.runtime.unit_of_work(tenant) as connection:
            plans = {}
            for index, read, parameters in (
                ("ix_tesma_jobs_unfinished", repository._unfinished, {"tenant": tenant, "after": 0, "page": 2}),
                ("ix_tesma_jobs_end_date", repository._last_end_before, {"tenant": tenant, "first": 3}),
            ):
                sql, order, _defaults = read._on_sqlite._for(connection)
                bound = tuple(parameters[name] for name in order or ())
                plans[index] = str(connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", bound).all())
    assert [index for index, plan in plans.items() if index not in plan] == []
