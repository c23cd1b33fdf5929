"""Secrets and the admin API: the journal shows no credential and holds bounded memory, `/__admin` can be locked
with a token, and what the admin API sets for everyone (the dataset, the clock, the fault rules) survives a restart
on a file store."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.settings import Settings
from tests.live_server import serve

READINGS = "/api/v3/reading"
SECRETS = [f"S3CRET{n}X" for n in range(12)]


def fresh() -> str:
    return f"s-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def app():
    return build_app(Settings(journal_size=50))


@pytest.fixture(scope="module")
def http(app) -> Iterator[httpx.Client]:
    with serve(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


def journal_text(http: httpx.Client, tenant: str) -> str:
    found = http.get("/__admin/requests", params={"tenant": tenant}).json()["requests"]
    assert found, "the request was not journaled"
    return str(found)


def test_the_journal_masks_credentials_in_the_query_by_name(http):
    tenant = fresh()
    query = (f"access_token={SECRETS[0]}&api_key={SECRETS[1]}&Password={SECRETS[2]}&client%5Fsecret={SECRETS[3]}"
             "&beginDate=2026-01-01")  # fmt: skip
    http.get(f"/api/v3/channel/10001/reading?{query}", headers={"ECI-ApiKey": tenant})
    shown = journal_text(http, tenant)
    assert not [secret for secret in SECRETS[:4] if secret in shown]
    assert "beginDate=2026-01-01" in shown and "access_token=" in shown


def test_the_journal_masks_any_header_whose_name_says_it_is_a_credential(http):
    tenant = fresh()
    headers = {"ECI-ApiKey": tenant, "X-Auth-Token": SECRETS[4], "Api-Key": SECRETS[5], "X-Session-Id": SECRETS[6],
               "X-Trace": "visible-trace"}  # fmt: skip
    http.get("/api/v3/channel/10001/reading", headers=headers)
    shown = journal_text(http, tenant)
    assert tenant not in shown
    assert not [secret for secret in SECRETS[4:7] if secret in shown]
    assert "visible-trace" in shown


def test_the_journal_masks_credentials_inside_json_bodies(http):
    tenant = fresh()
    body = (
        f'[{{"channelId": 10001, "password": "{SECRETS[7]}", "note": "visible-note",'
        f' "auth": {{"token": "{SECRETS[8]}"}}, "clientSecret": "{SECRETS[9]}",'
        ' "apiKey": 12345678901, "readings": []}]'
    )
    http.post(READINGS, content=body, headers={"ECI-ApiKey": tenant, "Content-Type": "application/json"})
    shown = journal_text(http, tenant)
    assert not [secret for secret in SECRETS[7:10] if secret in shown]
    assert "12345678901" not in shown
    assert "visible-note" in shown


def test_a_secret_cut_by_the_shown_bytes_is_masked_too(http, app):
    tenant = fresh()
    limit = app.runtime.journal.body_limit
    body = f'{{"note": "{"n" * (limit - 30)}", "password": "{SECRETS[10] * 10}"}}'
    http.post(READINGS, content=body, headers={"ECI-ApiKey": tenant, "Content-Type": "application/json"})
    assert SECRETS[10][:4] not in journal_text(http, tenant)


def test_the_journal_keeps_at_most_the_shown_bytes_of_each_body():
    limit = 1024
    app = build_app(Settings(journal_size=100, journal_body_limit=limit, validate_responses=False))
    readings = [{"time": f"2026-01-01T{h:02d}:{m:02d}:00Z", "value": 1.5} for h in range(24) for m in range(60)]
    body = httpx.Request("POST", "/", json=[{"channelId": 999999, "readings": readings}]).content  # ~70 KB in
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        for _ in range(10):
            answer = http.post(
                READINGS, content=body, headers={"ECI-ApiKey": "big", "Content-Type": "application/json"}
            )
            assert answer.status_code == 200 and len(answer.content) > 100 * limit
        shown = http.get("/__admin/requests", params={"limit": 1}).json()["requests"][0]
    assert shown["request"]["body"]["size"] == len(body) and shown["request"]["body"]["truncated"]
    assert shown["response"]["body"]["size"] == len(answer.content)
    assert len(app.runtime.journal) == 10
    # What the journal holds: the shown bytes of both bodies, plus the headers, per exchange.
    assert app.runtime.journal.kept_bytes <= 10 * (2 * limit + 2048)


def test_the_journal_has_a_byte_bound_as_well_as_an_entry_bound():
    app = build_app(Settings(journal_size=1000, journal_max_bytes=64 * 1024))
    with TestClient(app) as client:
        for _ in range(40):  # 40 x (2 KB of headers + a small body) > 64 KB
            client.get("/api/v3/channel/10001/reading", headers={"ECI-ApiKey": "bound", "X-Padding": "p" * 2048})
        kept = client.get("/__admin/requests").json()
    assert 0 < kept["size"] < 40
    assert app.runtime.journal.kept_bytes <= 64 * 1024


# --- admin token ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def locked() -> Iterator[TestClient]:
    with TestClient(build_app(Settings(admin_token="adm1n-t0ken"))) as client:
        yield client


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/__admin/state?tenant=x"), ("POST", "/__admin/reset"), ("GET", "/__admin/requests"),
     ("PUT", "/__admin/faults"), ("DELETE", "/__admin/faults"), ("PUT", "/__admin/clock"),
     ("POST", "/__admin/fixtures"), ("POST", "/__admin/jobs/run?tenant=x"), ("GET", "/__admin/nowhere")],
)  # fmt: skip
def test_an_admin_token_locks_every_admin_operation(locked, method, path):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic adm1n-t0ken"}):
        refused = locked.request(method, path, headers=headers)
        assert refused.status_code == 401, (headers, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")


def test_the_right_token_opens_the_admin_api_and_health_stays_open(locked):
    token = {"Authorization": "Bearer adm1n-t0ken"}
    assert locked.get("/__admin/state", params={"tenant": "x"}, headers=token).status_code == 200
    assert locked.put("/__admin/faults", json={"rules": []}, headers=token).status_code == 200
    assert locked.get("/__admin/health").status_code == 200  # liveness probes and the conformance suite's check
    # the vendor APIs are not the admin API's business
    assert locked.get("/api/v3/channel/10001/reading", headers={"ECI-ApiKey": "x"}).status_code == 200


def test_a_refused_admin_call_changes_nothing(locked):
    token = {"Authorization": "Bearer adm1n-t0ken"}
    before = locked.get("/__admin/clock", headers=token).json()
    locked.put("/__admin/clock", json={"mode": "frozen", "at": "2030-01-01T00:00:00Z"})
    assert locked.get("/__admin/clock", headers=token).json()["mode"] == before["mode"]


# --- what a file store keeps ---------------------------------------------------------------------------------


DATASET = {
    "energycap": {
        "meters": [{"meterId": 77, "meterImportId": "KEPT"}],
        "channels": [{"channelId": 7701, "meterId": 77, "channelImportId": "K1", "intervalSeconds": 900,
                      "observationTypeCode": "Energy",
                      "versions": [{"versionId": 1, "unitCode": "kWh", "multiplier": 1, "observationRule": "Trip"}]}],
    }
}  # fmt: skip
RULE = {"api": "energycap", "operationId": "get_channel_readings", "status": 404}


def test_a_file_store_restarts_with_the_shared_dataset_the_clock_and_the_fault_rules(tmp_path):
    settings = Settings(store_url=f"sqlite:///{tmp_path / 'kept.db'}")
    first = build_app(settings)
    with TestClient(first) as client:
        assert client.post("/__admin/fixtures", json=DATASET).status_code == 200
        assert client.put("/__admin/clock", json={"mode": "frozen", "at": "2031-02-03T04:05:06Z"}).status_code == 200
        assert client.put("/__admin/faults", json={"rules": [RULE]}).status_code == 200
    first.runtime.store.dispose()

    second = build_app(settings)
    with TestClient(second) as client:
        state = client.get("/__admin/state", params={"tenant": "after-restart"}).json()
        clock = client.get("/__admin/clock").json()
        rules = client.get("/__admin/faults").json()["rules"]
        faulted = client.get("/api/v3/channel/7701/reading", headers={"ECI-ApiKey": "after-restart"})
    second.runtime.store.dispose()
    assert [meter["meterId"] for meter in state["energycap"]["meters"]] == [77]
    assert "overit" not in state or not state["overit"].get("accounts")
    assert (clock["mode"], clock["now"]) == ("frozen", "2031-02-03T04:05:06Z")
    assert [{key: rule[key] for key in RULE} for rule in rules] == [RULE]
    assert faulted.status_code == 404 and "Injected" in faulted.text


def test_clearing_the_faults_and_the_clock_is_kept_too(tmp_path):
    settings = Settings(store_url=f"sqlite:///{tmp_path / 'cleared.db'}")
    first = build_app(settings)
    with TestClient(first) as client:
        client.put("/__admin/faults", json={"rules": [RULE]})
        client.put("/__admin/clock", json={"advanceSeconds": 86400 * 365})
        client.delete("/__admin/faults")
        client.put("/__admin/clock", json={"mode": "real"})
    first.runtime.store.dispose()
    second = build_app(settings)
    with TestClient(second) as client:
        assert client.get("/__admin/faults").json()["rules"] == []
        assert client.get("/__admin/clock").json()["mode"] == "real"
    second.runtime.store.dispose()
