"""`GET /__admin/tenants/{tenantId}/view/{api}`: a tenant's data as the vendor API answers it. For Oracle, the
readings with the NetValue the API computes, which the snapshot leaves out."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mockserver.app import build_app

READINGS = "/fscmRestApi/resources/11.13.18.05/meterReadings"
ADF = {"Content-Type": "application/vnd.oracle.adf.resourceitem+json"}
METER = {"AssetNumber": "F0554-02", "MeterCode": "0554 HOURS", "MeterUsageCode": "ORA_ASSET"}


@pytest.fixture(scope="module")
def mock() -> Iterator[TestClient]:
    with TestClient(build_app()) as client:
        yield client


def oracle_user(credential: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{credential}:any".encode()).decode()}


def vendor_readings(mock: TestClient, credential: str) -> dict[int, dict]:
    answer = mock.get(READINGS, params={"onlyData": "true", "limit": 500}, headers=oracle_user(credential))
    assert answer.status_code == 200, answer.text
    assert not answer.json()["hasMore"]
    return {item["MeterReadingId"]: item for item in answer.json()["items"]}


def test_the_oracle_view_answers_each_reading_as_the_vendor_get_does_netvalue_included(mock):
    tenant = mock.post("/__admin/tenants", json={"label": "view"}).json()
    headers = {**oracle_user(tenant["credential"]), **ADF}
    rolled = {**METER, "ReadingDate": "2026-04-10T08:00:00Z", "ReadingTypeCode": "ORA_ABSOLUTE",
              "ReadingValue": 50, "RolloverFlag": True}  # fmt: skip
    assert mock.post(READINGS, headers=headers, json=rolled).status_code == 201
    reset = {**METER, "ReadingDate": "2026-05-10T08:00:00Z", "ReadingTypeCode": "ORA_RESET"}
    assert mock.post(READINGS, headers=headers, json=reset).status_code == 201
    after = {**METER, "ReadingDate": "2026-06-10T08:00:00Z", "ReadingTypeCode": "ORA_ABSOLUTE", "ReadingValue": 30}
    assert mock.post(READINGS, headers=headers, json=after).status_code == 201

    answer = mock.get(f"/__admin/tenants/{tenant['id']}/view/oracle")
    assert answer.status_code == 200, answer.text
    viewed = answer.json()["meterReadings"]
    assert {item["MeterReadingId"]: item for item in viewed} == vendor_readings(mock, tenant["credential"])
    assert "netValue" not in str(mock.get(f"/__admin/tenants/{tenant['id']}/state").json())  # why the view exists

    meter = [item for item in viewed if item["AssetNumber"] == "F0554-02"]
    assert [item["ReadingDate"] for item in meter] == sorted(item["ReadingDate"] for item in meter)
    by_date = {item["ReadingDate"][:10]: item for item in meter}
    rolled_over, was_reset, later = by_date["2026-04-10"], by_date["2026-05-10"], by_date["2026-06-10"]
    assert rolled_over["RolloverFlag"] and rolled_over["NetValue"] > rolled_over["ReadingValue"]
    assert was_reset["ResetFlag"]
    assert later["NetValue"] == was_reset["NetValue"] + 30  # counting goes on from the reset


def test_the_view_is_per_tenant(mock):
    one, other = (mock.post("/__admin/tenants", json={}).json() for _ in range(2))
    headers = {**oracle_user(one["credential"]), **ADF}
    new = {**METER, "ReadingDate": "2026-06-10T08:00:00Z", "ReadingTypeCode": "ORA_ABSOLUTE", "ReadingValue": 5000}
    assert mock.post(READINGS, headers=headers, json=new).status_code == 201
    counts = [len(mock.get(f"/__admin/tenants/{t['id']}/view/oracle").json()["meterReadings"]) for t in (one, other)]
    assert counts[0] == counts[1] + 1


def test_an_api_without_a_view_or_not_served_is_404(mock):
    tenant = mock.post("/__admin/tenants", json={}).json()
    for api in ("overit", "nowhere"):
        answer = mock.get(f"/__admin/tenants/{tenant['id']}/view/{api}")
        assert answer.status_code == 404, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
    assert mock.get("/__admin/tenants/t-000000000000/view/oracle").status_code == 404
