"""The QA toolkit end to end: a real HTTP client against the mock served by uvicorn."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest

from mockserver.app import build_app
from mockserver.settings import Settings
from tests.live_server import serve

READINGS = "/api/v3/channel/10001/reading"
ORACLE = "/fscmRestApi/resources/11.13.18.05/meterReadings"


@pytest.fixture(scope="module")
def base_url():
    with serve(build_app(Settings(journal_size=100))) as url:
        yield url


@pytest.fixture
def http(base_url):
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client
        client.delete("/__admin/faults")
        client.delete("/__admin/requests")


def key(tenant: str = "qa-team") -> dict[str, str]:
    return {"ECI-ApiKey": tenant}


def test_added_latency_fixed_and_in_a_range(http):
    http.put("/__admin/faults", json={"rules": [{"operationId": "get_channel_readings", "latencyMs": 300}]})
    began = time.perf_counter()
    assert http.get(READINGS, headers=key()).status_code == 200
    assert time.perf_counter() - began >= 0.3
    http.put("/__admin/faults", json={"rules": [{"api": "energycap", "latencyMs": [100, 150], "seed": 1}]})
    began = time.perf_counter()
    http.get(READINGS, headers=key())
    assert 0.1 <= time.perf_counter() - began < 1.0


def test_a_documented_status_in_the_vendors_format_for_the_next_request_only(http):
    rules = {"rules": [{"api": "oracle", "operationId": "create_meter_reading", "status": 400, "times": 1}]}
    assert http.put("/__admin/faults", json=rules).status_code == 200
    basic = {"Authorization": "Basic " + base64.b64encode(b"qa-team:pw").decode()}
    faulted = http.post(ORACLE, json={}, headers={**basic, "Content-Type": "application/json"})
    assert faulted.status_code == 400
    assert faulted.headers["content-type"] == "application/vnd.oracle.adf.error+json"
    assert faulted.json()["o:errorDetails"][0]["detail"].startswith("Injected")
    assert http.get("/__admin/faults").json()["rules"][0]["remaining"] == 0


def test_429_carries_retry_after(http):
    rule = {"api": "energycap", "status": 429, "retryAfter": 7, "undocumented": True}
    assert http.put("/__admin/faults", json={"rules": [rule]}).status_code == 200
    response = http.get(READINGS, headers=key())
    assert (response.status_code, response.headers["retry-after"], response.json()["code"]) == (
        429, "7", "TOO_MANY_REQUESTS"
    )  # fmt: skip


def test_an_undocumented_status_is_refused_with_the_documented_ones(http):
    refused = http.put("/__admin/faults", json={"rules": [{"operationId": "get_channel_readings", "status": 503}]})
    assert refused.status_code == 400 and "400, 401, 404" in refused.json()["detail"]


def test_a_dropped_connection(http):
    http.put("/__admin/faults", json={"rules": [{"path": "/api/v3/*", "drop": True, "times": 1}]})
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(READINGS, headers=key())
    assert http.get(READINGS, headers=key()).status_code == 200


def test_a_seeded_probability_gives_the_same_sequence_twice(http):
    rule = {"operationId": "get_channel_readings", "status": 404, "probability": 0.5, "seed": 2026}

    def run() -> list[int]:
        http.put("/__admin/faults", json={"rules": [rule]})
        return [http.get(READINGS, headers=key()).status_code for _ in range(30)]

    first = run()
    assert first == run()
    assert {200, 404} == set(first)


def test_prefer_asks_per_request(http):
    assert http.get(READINGS, headers={**key(), "Prefer": "code=404"}).json()["code"] == "NOT_FOUND"
    began = time.perf_counter()
    assert http.get(READINGS, headers={**key(), "Prefer": "latency=200"}).status_code == 200
    assert time.perf_counter() - began >= 0.2
    refused = http.get(READINGS, headers={**key(), "Prefer": "code=418"})
    assert refused.status_code == 400 and "400, 401, 404" in refused.json()["message"]


def test_the_journal_lists_newest_first_filters_and_clears(http):
    http.get(READINGS, headers=key("alice"))
    http.post("/api/v3/reading", json=[], headers=key("bob"))
    http.get("/v1/leases/assets/bulkpatches/1", headers={"X-API-KEY": "alice", "CorporateGroup-Name": "ACME"})
    entries = http.get("/__admin/requests").json()["requests"]
    assert [(e["api"], e["operationId"], e["status"]) for e in entries] == [
        ("tesma", "get_bulk_patch", 404), ("energycap", "create_readings", 400),
        ("energycap", "get_channel_readings", 200),
    ]  # fmt: skip
    assert entries[1]["request"]["body"]["text"] == "[]" and "INVALID_REQUEST" in entries[1]["response"]["body"]["text"]
    by_tenant = http.get("/__admin/requests", params={"tenant": "alice", "api": "energycap"}).json()["requests"]
    assert [e["operationId"] for e in by_tenant] == ["get_channel_readings"]
    assert [e["status"] for e in http.get("/__admin/requests", params={"status": 400}).json()["requests"]] == [400]
    assert http.delete("/__admin/requests").json() == {"cleared": 3}
    assert http.get("/__admin/requests").json()["requests"] == []


def test_the_journal_never_shows_a_credential(http):
    secrets = ["s3cret-token", "s3cret-user", "s3cret-key", "s3cret-pat"]
    basic = base64.b64encode(b"s3cret-user:s3cret-password").decode()
    http.patch("/assets/r1/accounts/1/measuring-elements/2/measures/batch", json=[],
               headers={"Authorization": f"Bearer {secrets[0]}"})  # fmt: skip
    http.get(ORACLE, headers={"Authorization": f"Basic {basic}"})
    http.get(READINGS, headers={"ECI-ApiKey": secrets[2]})
    http.get("/v1/leases/assets/bulkpatches/1", headers={"X-API-KEY": secrets[3], "CorporateGroup-Name": "ACME"})
    dumped = json.dumps(http.get("/__admin/requests").json())
    assert len(http.get("/__admin/requests").json()["requests"]) == 4
    for secret in [*secrets, basic, "s3cret-password"]:
        assert secret not in dumped


def test_the_bound_holds_past_capacity():
    """The same ring at any capacity: three records and five requests show it as 100 and 5,000 did, in a tenth
    of the time."""
    with serve(build_app(Settings(journal_size=3))) as url, httpx.Client(base_url=url, timeout=10) as client:
        for n in range(5):
            client.get(READINGS, headers=key("load"), params={"n": n})
        journal = client.get("/__admin/requests").json()
    assert (journal["capacity"], journal["size"], len(journal["requests"])) == (3, 3, 3)
    assert [record["query"] for record in journal["requests"]] == ["n=4", "n=3", "n=2"]


def test_a_journal_of_zero_records_nothing():
    with serve(build_app(Settings(journal_size=0))) as url, httpx.Client(base_url=url) as client:
        client.get(READINGS, headers=key())
        assert client.get("/__admin/requests").json() == {"capacity": 0, "size": 0, "requests": []}
