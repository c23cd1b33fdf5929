"""`POST /__admin/tenants/{tenantId}/send`: a vendor request sent as a listed tenant, its credential put where the
API's contract carries it, through the whole mock (rules and journal included)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.settings import Settings

VERSION = "/v202101/meter/501/channel/10001/version/2"
EDIT = {"beginDate": "2024-07-01", "maximumReading": 9999999, "multiplier": 3, "observationRule": "Odometer",
        "unitCode": "kWh", "udfs": [{"udfId": 1, "value": "Roof"}]}  # fmt: skip


@pytest.fixture(scope="module")
def mock() -> Iterator[TestClient]:
    with TestClient(build_app()) as client:
        yield client


def send(mock: TestClient, tenant: dict, **request: object):  # type: ignore[no-untyped-def]
    return mock.post(f"/__admin/tenants/{tenant['id']}/send", json=request)


def versions(mock: TestClient, tenant: dict) -> list[dict]:
    state = mock.get(f"/__admin/tenants/{tenant['id']}/state").json()["energycap"]
    return next(c for c in state["channels"] if c["channelId"] == 10001)["versions"]


def test_an_energycap_version_edit_sent_as_the_tenant_changes_its_data_only(mock):
    tenant, other = (mock.post("/__admin/tenants", json={}).json() for _ in range(2))
    answer = send(mock, tenant, api="energycap", method="PUT", path=VERSION, body=EDIT)
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == 200
    assert answer.json()["body"]["channelId"] == 10001  # the vendor's own answer: the whole channel
    assert versions(mock, tenant)[-1]["multiplier"] == 3
    assert versions(mock, other)[-1]["multiplier"] != 3
    journaled = mock.get("/__admin/requests", params={"api": "energycap", "limit": 1}).json()["requests"][0]
    assert journaled["method"] == "PUT" and journaled["tenant"] == tenant["id"]


@pytest.mark.parametrize(
    ("api", "method", "path", "body", "headers"),
    [
        ("oracle", "GET", "/meterReadings", None, {}),  # HTTP Basic
        ("overit", "PATCH", "/accounts/1001/measuring-elements/2101/measures/batch", [{"id": 3101, "value": 9}], {}),
        ("tesma", "GET", "/leases/assets/bulkpatches/1", None, {"CorporateGroup-Name": "ACME"}),  # X-API-KEY
        ("energycap", "GET", "/v202101/meter/501/channel/10001", None, {}),  # ECI-ApiKey
    ],
)
def test_the_credential_goes_where_each_contract_carries_it(mock, api, method, path, body, headers):
    tenant = mock.post("/__admin/tenants", json={}).json()
    answer = send(mock, tenant, api=api, method=method, path=path, body=body, headers=headers)
    assert answer.json()["status"] not in (401, 403), answer.text
    journaled = mock.get("/__admin/requests", params={"api": api, "limit": 1}).json()["requests"][0]
    assert journaled["tenant"] == tenant["id"]  # the mock took the credential as that tenant's


def test_a_vendor_refusal_comes_back_as_the_vendor_answered_it(mock):
    tenant = mock.post("/__admin/tenants", json={}).json()
    answer = send(mock, tenant, api="energycap", method="PUT", path=VERSION, body={"beginDate": "2024-07-01"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == 400


def test_in_strict_auth_mode_a_created_tenant_is_sent_as_itself():
    with TestClient(build_app(Settings(auth_mode="strict"))) as mock:
        tenant = mock.post("/__admin/tenants", json={}).json()
        answer = send(mock, tenant, api="energycap", method="PUT", path=VERSION, body=EDIT)
        assert answer.json()["status"] == 200, answer.text
