"""The admin operations the console stands on: tenants by fingerprint, the contracts' catalogue, the journal as a
stream and "send again". One mock for the module; each test takes its own tenant."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.qa.operations import tenant_fingerprint
from mockserver.settings import Settings
from tests.live_server import serve

BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"


@pytest.fixture(scope="module")
def mock() -> Iterator[TestClient]:
    with TestClient(build_app()) as client:
        yield client


def created(mock: TestClient, **body: object) -> dict:
    response = mock.post("/__admin/tenants", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_created_tenant_is_listed_by_label_and_fingerprint_and_its_credential_works(mock):
    tenant = created(mock, label="smoke tests")
    assert tenant["id"] == tenant_fingerprint(tenant["credential"])
    listed = mock.get("/__admin/tenants").json()["tenants"]
    assert {"id": tenant["id"], "label": "smoke tests"} in listed
    assert tenant["credential"] not in str(listed)
    answer = mock.patch(
        BATCH, headers={"Authorization": f"Bearer {tenant['credential']}"}, json=[{"id": 3101, "value": 1}]
    )
    assert answer.status_code == 200


def test_a_created_tenant_is_accepted_in_strict_auth_mode():
    with TestClient(build_app(Settings(auth_mode="strict"))) as strict:
        assert strict.patch(BATCH, headers={"Authorization": "Bearer stranger"}, json=[]).status_code == 401
        credential = created(strict)["credential"]
        answer = strict.patch(BATCH, headers={"Authorization": f"Bearer {credential}"}, json=[{"id": 3101, "value": 1}])
        assert answer.status_code == 200


def test_a_tenant_created_from_a_snapshot_starts_from_it(mock):
    source = created(mock)
    mock.patch(BATCH, headers={"Authorization": f"Bearer {source['credential']}"}, json=[{"id": 3101, "value": 7.5}])
    snapshot = mock.get(f"/__admin/tenants/{source['id']}/state").json()
    copy = created(mock, label="copy", snapshot=snapshot)
    assert mock.get(f"/__admin/tenants/{copy['id']}/state").json() == snapshot
    fresh = created(mock)
    assert mock.get(f"/__admin/tenants/{fresh['id']}/state").json() != snapshot


def test_reset_and_restore_by_fingerprint(mock):
    tenant = created(mock)
    before = mock.get(f"/__admin/tenants/{tenant['id']}/state").json()
    mock.patch(BATCH, headers={"Authorization": f"Bearer {tenant['credential']}"}, json=[{"id": 3101, "value": 9}])
    changed = mock.get(f"/__admin/tenants/{tenant['id']}/state").json()
    assert changed != before
    assert mock.post(f"/__admin/tenants/{tenant['id']}/reset").json() == {"reset": tenant["id"]}
    assert mock.get(f"/__admin/tenants/{tenant['id']}/state").json() == before
    assert tenant["id"] in str(mock.get("/__admin/tenants").json())  # still listed after a reset
    assert mock.put(f"/__admin/tenants/{tenant['id']}/state", json=changed).status_code == 200
    assert mock.get(f"/__admin/tenants/{tenant['id']}/state").json() == changed


def test_an_unknown_fingerprint_is_404(mock):
    for method, path in (("POST", "reset"), ("GET", "state"), ("POST", "jobs/run")):
        answer = mock.request(method, f"/__admin/tenants/t-000000000000/{path}")
        assert answer.status_code == 404, answer.text
        assert answer.headers["content-type"] == "application/problem+json"


def test_the_operations_carry_documented_statuses_and_the_rule_catalogue(mock):
    operations = mock.get("/__admin/operations").json()["operations"]
    create = next(op for op in operations if op["api"] == "oracle" and op["operationId"] == "create_meter_reading")
    assert create["method"] == "POST"
    assert 400 in create["statuses"] and 503 not in create["statuses"]
    assert any(rule["id"] == "ORA-MR-001" and rule["code"] for rule in create["rules"])
    assert sum(len(op["rules"]) for op in operations) >= 138


def test_send_again_replays_the_request_with_its_credential(mock):
    tenant = created(mock)
    mock.delete("/__admin/requests")
    mock.patch(BATCH, headers={"Authorization": f"Bearer {tenant['credential']}"}, json=[{"id": 3101, "value": 3}])
    first = mock.get("/__admin/requests").json()["requests"][0]
    assert mock.post(f"/__admin/requests/{first['id']}/replay").json() == {"status": 200}
    newest = mock.get("/__admin/requests").json()["requests"][0]
    assert newest["id"] > first["id"]
    assert (newest["tenant"], newest["request"]["body"]) == (tenant["id"], first["request"]["body"])
    assert mock.post("/__admin/requests/999999/replay").status_code == 404


def test_a_request_whose_body_was_cut_cannot_be_sent_again():
    with TestClient(build_app(Settings(journal_body_limit=10))) as small:
        small.patch(BATCH, headers={"Authorization": "Bearer cut"}, json=[{"id": 3101, "value": 3}])
        entry = small.get("/__admin/requests").json()["requests"][0]
        answer = small.post(f"/__admin/requests/{entry['id']}/replay")
        assert answer.status_code == 409, answer.text


def test_the_stream_sends_each_new_exchange_as_an_event():
    with serve(build_app()) as url:
        lines: list[str] = []

        def read() -> None:
            with httpx.stream("GET", url + "/__admin/requests/stream?api=overit", timeout=10) as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                for line in stream.iter_lines():
                    lines.append(line)
                    if line.startswith('data: {"id"'):
                        return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        deadline = time.monotonic() + 5
        while not lines and time.monotonic() < deadline:
            time.sleep(0.02)
        httpx.get(url + "/api/v202101/meter/501/channel/10001", headers={"ECI-ApiKey": "other"})  # filtered out
        httpx.patch(url + BATCH, headers={"Authorization": "Bearer streamed"}, json=[{"id": 3101, "value": 1}])
        reader.join(5)
        assert not reader.is_alive()
        exchanges = [line for line in lines if line.startswith('data: {"id"')]
        assert len(exchanges) == 1 and '"operationId":"patch_measures_batch"' in exchanges[0]
        assert "event: exchange" in lines


def test_only_a_rule_of_the_contracts_can_be_tried(mock):
    answer = mock.post("/__admin/rules/ORA-MR-999/run")
    assert answer.status_code == 404 and "ORA-MR-999" in answer.json()["detail"]


def test_a_rule_cannot_be_tried_while_the_mock_has_an_admin_token():
    with TestClient(build_app(Settings(admin_token="t"))) as guarded:
        answer = guarded.post("/__admin/rules/ORA-MR-001/run", headers={"Authorization": "Bearer t"})
        assert answer.status_code == 409 and "admin token" in answer.json()["detail"]


def test_the_verdict_is_read_from_the_run_report_for_that_rule():
    from mockserver.admin.rule_run import verdict

    report = {"results": [{"id": "X-1", "outcome": "failed", "expected": "400 A", "answered": "200", "reason": "r"}]}
    assert verdict("X-1", report, 1, "out")["verdict"] == "failed"
    assert verdict("X-2", report, 1, "out")["verdict"] == "error"
    assert verdict("X-1", None, 2, "boom")["verdict"] == "error"


def test_one_journal_entry_opens_with_its_request_and_response(mock):
    mock.patch(BATCH, headers={"Authorization": "Bearer opened"}, json=[{"id": 3101, "value": 2}])
    listed = mock.get("/__admin/requests", params={"limit": 1}).json()["requests"][0]
    assert mock.get(f"/__admin/requests/{listed['id']}").json() == listed
    assert mock.get("/__admin/requests/999999").status_code == 404
