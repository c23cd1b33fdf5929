"""The admin API's own inputs are bounded: fault latency (60 s), fault statuses an HTTP answer can carry, the
clock's range; a refused call changes nothing, and removing fault rules releases the requests they hold."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.hostile.conftest import ORACLE_READINGS, assert_vendor_error, credentials

TESMA_JOB = "/v1/leases/assets/bulkpatches/1"


@pytest.fixture
def no_faults(http: httpx.Client) -> Iterator[None]:
    yield
    http.delete("/__admin/faults")


@pytest.fixture
def real_clock(http: httpx.Client) -> Iterator[None]:
    yield
    http.put("/__admin/clock", json={"mode": "real"})


@pytest.mark.parametrize("rule", [
    {"path": "*", "latencyMs": 600_000},
    {"path": "*", "latencyMs": [0, 600_000]},
    {"path": "/v1/*", "status": 101, "undocumented": True},
    {"path": "/v1/*", "status": 599, "undocumented": True},
], ids=["latency", "latency-range", "informational", "unregistered"])  # fmt: skip
def test_fault_rules_out_of_bounds_are_refused_and_change_nothing(http, healthy, no_faults, rule):
    http.put("/__admin/faults", json={"rules": [{"path": "/nothing/*", "latencyMs": 1}]})
    response = http.put("/__admin/faults", json={"rules": [rule]})
    assert_vendor_error("admin", response, 400)
    assert [r["path"] for r in http.get("/__admin/faults").json()["rules"]] == ["/nothing/*"]


@pytest.mark.parametrize("status", [204, 304])
def test_bodiless_fault_statuses_are_sent_without_a_body(http, tenant, healthy, no_faults, status):
    http.put("/__admin/faults", json={"rules": [{"path": "/v1/*", "status": status, "undocumented": True}]})
    response = http.get(TESMA_JOB, headers=credentials("tesma", tenant))
    assert (response.status_code, response.content) == (status, b"")
    http.delete("/__admin/faults")
    assert http.get("/__admin/health").status_code == 200  # the connection is still usable


def test_removing_fault_rules_releases_the_requests_they_hold(http, mock_url, tenant, healthy, no_faults):
    http.put("/__admin/faults", json={"rules": [{"path": "/v1/*", "latencyMs": 60_000}]})
    answers: list[int] = []

    def held() -> None:
        with httpx.Client(base_url=mock_url, timeout=30) as other:
            answers.append(other.get(TESMA_JOB, headers=credentials("tesma", tenant)).status_code)

    thread = threading.Thread(target=held)
    thread.start()
    time.sleep(0.5)
    assert http.delete("/__admin/faults").status_code == 200
    thread.join(10)
    assert answers == [404], "released and answered as without the rule (no job 1 in a fresh tenant)"


@pytest.mark.parametrize("changes", [
    [{"mode": "frozen", "at": "9999-12-30T23:59:59Z"}, {"advanceSeconds": 1}],
    [{"mode": "frozen", "at": "0001-01-02T00:00:00Z"}, {"advanceSeconds": -1}],
    [{"advanceSeconds": -3153600000}] * 21,
    [{"mode": "offset", "offsetSeconds": 3153600000}] + [{"advanceSeconds": 3153600000}] * 80,
], ids=["past-9999", "before-year-1", "21-centuries-back", "80-centuries-ahead"])  # fmt: skip
def test_the_clock_stays_in_its_range_and_a_refused_move_changes_nothing(http, tenant, healthy, real_clock, changes):
    refused = None
    for change in changes:
        before = http.get("/__admin/clock").json()
        response = http.put("/__admin/clock", json=change)
        if response.status_code != 200:
            refused = response
            assert http.get("/__admin/clock").json()["mode"] == before["mode"]
            if before["mode"] == "frozen":
                assert http.get("/__admin/clock").json()["now"] == before["now"]
            break
    assert refused is not None, "the clock went out of range"
    assert_vendor_error("admin", refused, 400)
    assert "range" in refused.json()["detail"]
    oracle = http.get(ORACLE_READINGS, headers=credentials("oracle", tenant))
    assert oracle.status_code == 200, oracle.text
    assert http.get("/__admin/state", params={"tenant": tenant}).status_code == 200
