"""tesma through HTTP, for what the conformance scenarios do not reach: restarts, the admin job runner."""

from datetime import timedelta

from starlette.testclient import TestClient

from mockserver.apis.tesma import repository
from mockserver.apis.tesma.schedule import PendingJob
from mockserver.app import build_app
from mockserver.job_pace import JobPace
from mockserver.settings import Settings

ACME = {"CorporateGroup-Name": "ACME"}


def test_a_restart_on_a_file_store_resumes_a_job_without_losing_or_repeating_an_update(tmp_path):
    store = f"sqlite:///{tmp_path / 'state.db'}"
    slow = Settings(store_url=store, job_pace=JobPace(per_second=1, start_delay=timedelta()))
    headers = {"X-API-KEY": "team", **ACME}
    body = [{"assetId": 111, "orderNumber": "A"}, {"assetId": 222, "orderNumber": "B"}, {"assetId": 333}]
    first = build_app(slow)
    with TestClient(first.asgi) as client:
        job = client.patch("/v1/leases/assets", json=body, headers=headers).json()
        first.runtime.clock.advance(timedelta(seconds=1.5))  # one asset handled
        assert (
            client.get(f"/v1/leases/assets/bulkpatches/{job['id']}", headers=headers).json()[
                "assetsSuccessfullyUpdated"
            ]
            == 1
        )
    first.runtime.store.dispose()
    second = build_app(slow)
    with TestClient(second.asgi) as client:
        second.runtime.clock.advance(timedelta(seconds=10))
        ended = client.get(f"/v1/leases/assets/bulkpatches/{job['id']}", headers=headers).json()
        assert (ended["status"], ended["assetsSuccessfullyUpdated"], len(ended["errors"])) == (
            "partiallySuccessful", 2, 1
        )  # fmt: skip
        assets = {
            a["assetId"]: a for a in client.get("/__admin/state", params={"tenant": "team"}).json()["tesma"]["assets"]
        }
        assert (assets[111]["orderNumber"], assets[222]["orderNumber"]) == ("A", "B")


def test_the_admin_runs_pending_jobs_to_their_end_at_once(client, tenant):
    headers = {"X-API-KEY": tenant, **ACME}
    job = client.patch("/v1/leases/assets", json=[{"assetId": 111, "serialNumber": "X"}], headers=headers).json()
    assert job["status"] == "notStarted"
    assert client.post("/__admin/jobs/run", params={"tenant": tenant}).json() == {
        "tenant": tenant,
        "jobs": {"tesma": 1},
    }
    assert client.get(f"/v1/leases/assets/bulkpatches/{job['id']}", headers=headers).json()["status"] == "successful"


def test_strict_mode_accepts_only_listed_keys(make_client):
    client = make_client(auth_mode="strict")
    ok = client.get("/v1/leases/assets/bulkpatches/1", headers={"X-API-KEY": "demo-tesma-key", **ACME})
    assert ok.status_code == 404  # known key, no such job yet
    refused = client.get("/v1/leases/assets/bulkpatches/1", headers={"X-API-KEY": "stranger", **ACME})
    assert (refused.status_code, refused.json()["code"]) == (401, "UNAUTHORIZED")


def test_a_long_job_queue_is_read_a_page_at_a_time_and_still_runs_in_creation_order(monkeypatch, tenant):
    """Every request advances the jobs; it used to read and parse every unfinished job of the tenant, so under load
    each request cost more than the one before. The schedule stops at the first job not finished by now."""
    read: list[int] = []

    def counted(job_id, *fields):  # type: ignore[no-untyped-def]
        read.append(job_id)
        return PendingJob(job_id, *fields)

    monkeypatch.setattr(repository, "PendingJob", counted)
    app = build_app(Settings(job_pace=JobPace(per_second=1, start_delay=timedelta())))
    headers = {"X-API-KEY": tenant, **ACME}
    with TestClient(app) as client:
        ids = [
            client.patch("/v1/leases/assets", json=[{"assetId": 111, "orderNumber": f"N{n}"}], headers=headers).json()[
                "id"
            ]
            for n in range(3 * repository._PENDING_PAGE)
        ]
        read.clear()
        assert client.get(f"/v1/leases/assets/bulkpatches/{ids[-1]}", headers=headers).json()["status"] == "notStarted"
        assert 0 < len(read) <= repository._PENDING_PAGE
        app.runtime.clock.advance(timedelta(seconds=10 * len(ids)))
        ended = [client.get(f"/v1/leases/assets/bulkpatches/{id_}", headers=headers).json() for id_ in ids]
        assert {job["status"] for job in ended} == {"successful"}
        assert [job["endDate"] for job in ended] == sorted(job["endDate"] for job in ended)
        [asset] = [a for a in client.get("/__admin/state", params={"tenant": tenant}).json()["tesma"]["assets"]
                   if a["assetId"] == 111]  # fmt: skip
        assert asset["orderNumber"] == f"N{len(ids) - 1}"  # the last job ran last
    app.runtime.store.dispose()


def test_a_fixture_job_lists_only_its_failed_items(client, tenant):
    """An item without errors was stored as JSON null, which the failed items' `IS NOT NULL` counted (a 500)."""
    items = [{"patch": {"assetId": 404}, "errors": ["gone"]}, {"patch": {"assetId": 111}}]
    job = {"id": 1, "corporateGroup": "ACME", "createDate": "2026-01-01T00:00:00Z", "endDate": "2026-01-01T00:00:02Z",
           "processed": 2, "assetsSuccessfullyUpdated": 1, "status": "partiallySuccessful", "items": items}  # fmt: skip
    document = {"tesma": {"corporateGroups": [{"name": "ACME"}], "jobs": [job]}}
    assert client.post("/__admin/fixtures", params={"tenant": tenant}, json=document).status_code == 200
    answer = client.get("/v1/leases/assets/bulkpatches/1", headers={"X-API-KEY": tenant, **ACME})
    assert (answer.status_code, answer.json()["errors"]) == (200, [{"assetId": 404, "errors": ["gone"]}])
