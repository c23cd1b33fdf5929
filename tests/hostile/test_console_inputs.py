"""Hostile input to the admin operations the console added: tenant creation, fingerprints, replay ids and the
journal stream's parameters. Each is refused with a clear 4xx in the admin API's problem+json, never a 500."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import assert_vendor_error


@pytest.mark.parametrize(
    "body",
    [
        {"label": ""},
        {"label": "x" * 129},
        {"label": 7},
        {"credential": "chosen-by-me"},  # the mock makes the credential; nobody picks one
        {"snapshot": []},
        {"snapshot": {"nowhere": {}}},
        {"snapshot": {"overit": "not a section"}},
        {"snapshot": {"overit": {"accounts": [{"id": 1, "code": "A"}, {"id": 1, "code": "A"}]}}},
        [],
        "text",
    ],
)
def test_tenant_creation_refuses_what_it_cannot_take(http, healthy, body):
    before = http.get("/__admin/tenants").json()["tenants"]
    assert_vendor_error("admin", http.post("/__admin/tenants", json=body), 400)
    assert http.get("/__admin/tenants").json()["tenants"] == before  # nothing half-made


@pytest.mark.parametrize(
    "fingerprint",
    ["t-0", "t-XXXXXXXXXXXX", "demo-overit-token", "t-" + "0" * 5000, "t-000000000000%00", "..%2F..%2Fstate"],
)
def test_a_tenant_is_named_only_by_a_fingerprint(http, healthy, fingerprint):
    answer = http.get(f"/__admin/tenants/{fingerprint}/state")
    assert answer.status_code in (400, 404, 414), answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_a_credential_is_never_accepted_where_a_fingerprint_is(http, healthy):
    http.get("/assets/r1/accounts", headers={"Authorization": "Bearer a-credential"})
    assert http.post("/__admin/tenants/a-credential/reset").status_code in (400, 404)


def test_restoring_a_tenant_refuses_a_bad_snapshot_and_keeps_its_data(http, healthy):
    tenant = http.post("/__admin/tenants", json={}).json()
    before = http.get(f"/__admin/tenants/{tenant['id']}/state").json()
    for snapshot in ({"nowhere": {}}, {"oracle": {"readings": [{"meterReadingId": -1}]}}, []):
        assert_vendor_error("admin", http.put(f"/__admin/tenants/{tenant['id']}/state", json=snapshot), 400)
    assert http.get(f"/__admin/tenants/{tenant['id']}/state").json() == before


@pytest.mark.parametrize("request_id", ["0", "-1", "x", "9" * 30, "1.5"])
def test_replay_takes_a_journal_number_only(http, healthy, request_id):
    answer = http.post(f"/__admin/requests/{request_id}/replay")
    assert answer.status_code in (400, 404), answer.text


@pytest.mark.parametrize(
    "query", ["after=-1", "after=x", "after=" + "9" * 30, "status=99", "status=abc", "api=" + "a" * 65, "tenant="]
)
def test_the_stream_refuses_bad_parameters_before_it_starts(http, healthy, query):
    with http.stream("GET", f"/__admin/requests/stream?{query}", timeout=5) as answer:
        answer.read()
        assert_vendor_error("admin", answer, 400)


@pytest.mark.parametrize("rule_id", ["ora-mr-001", "--help", "ORA-MR-001;ls", "X" * 65, "..%2F..", "ORA MR 001"])
def test_only_a_rule_id_reaches_the_suite(http, healthy, rule_id):
    answer = http.post(f"/__admin/rules/{rule_id}/run")
    assert answer.status_code in (400, 404), answer.text
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "api",
    ["nowhere", "ORACLE", "x" * 5000, "oracle%00", "..%2Fstate", "9" * 40, "oracle.json", "%F0%9F%92%A5"],
)
def test_a_tenant_view_names_a_served_api_only(http, healthy, api):
    tenant = http.post("/__admin/tenants", json={}).json()
    answer = http.get(f"/__admin/tenants/{tenant['id']}/view/{api}")
    assert answer.status_code in (400, 404, 414), answer.text
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "fingerprint", ["t-0", "t-" + "f" * 5000, "9" * 40, "demo-oracle-user", "t-000000000000%00", "..%2F..%2Fstate"]
)
def test_a_tenant_view_names_its_tenant_by_a_fingerprint_only(http, healthy, fingerprint):
    answer = http.get(f"/__admin/tenants/{fingerprint}/view/oracle")
    assert answer.status_code in (400, 404, 414), answer.text
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "request_",
    [
        {},
        {"api": "energycap", "method": "PUT"},
        {"api": "nowhere", "method": "GET", "path": "/x"},
        {"api": "energycap", "method": "TRACE", "path": "/v202101/meter/501"},
        {"api": "energycap", "method": "GET", "path": "no-slash"},
        {"api": "energycap", "method": "GET", "path": "/../../__admin/state"},
        {"api": "energycap", "method": "GET", "path": "/%2e%2e/%2E%2E/__admin/state"},
        {"api": "energycap", "method": "GET", "path": "/a\\..\\b"},
        {"api": "energycap", "method": "GET", "path": "/" + "x" * 5000},
        {"api": "energycap", "method": "GET", "path": "/v202101/meter/501", "headers": {"ECI-ApiKey": "other"}},
        {"api": "oracle", "method": "GET", "path": "/meterReadings", "headers": {"authorization": "Basic eDp5"}},
        {"api": "oracle", "method": "GET", "path": "/meterReadings", "headers": {"Bad Name": "x"}},
        {"api": "oracle", "method": "GET", "path": "/meterReadings", "headers": {"X": "y" * 2000}},
        {"api": "oracle", "method": "GET", "path": "/meterReadings", "contentType": "text/plain; x=<script>"},
        {"api": "oracle", "method": "GET", "path": "/meterReadings", "extra": 1},
    ],
)
def test_sending_as_a_tenant_refuses_what_it_cannot_send(http, healthy, request_):
    tenant = http.post("/__admin/tenants", json={}).json()
    answer = http.post(f"/__admin/tenants/{tenant['id']}/send", json=request_)
    assert answer.status_code in (400, 404), answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_sending_as_an_unknown_tenant_is_404(http, healthy):
    request_ = {"api": "energycap", "method": "GET", "path": "/v202101/meter/501"}
    assert_vendor_error("admin", http.post("/__admin/tenants/t-000000000000/send", json=request_), 404)
