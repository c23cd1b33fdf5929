"""A tenant's state saved with GET /__admin/state loads back exactly, for every API, through POST
/__admin/fixtures or as the dataset a mock starts from (`mockserver --fixtures FILE`)."""

from __future__ import annotations

import base64

import yaml
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.settings import Settings
from mockserver.vendor_api import discover_apis

FROZEN = {"mode": "frozen", "at": "2026-06-01T00:00:00Z"}


def change_every_api(client, tenant: str) -> None:
    """One write per API, so the snapshot holds more than the demo data; the clock frozen, so that a pending
    job stays where the snapshot saw it."""
    client.put("/__admin/clock", json=FROZEN)
    bearer = {"Authorization": f"Bearer {tenant}"}
    batch = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"
    measured = client.patch(batch, json=[{"id": 3101, "value": 4.2, "note": "snapshot"}], headers=bearer)
    assert measured.status_code == 200, measured.text
    basic = {"Authorization": "Basic " + base64.b64encode(f"{tenant}:pw".encode()).decode()}
    created = client.post(
        "/fscmRestApi/resources/11.13.18.05/meterReadings",
        json={"AssetNumber": "F0554-02", "MeterCode": "0554 HOURS", "ReadingDate": "2026-03-14T16:27:00-07:00",
              "ReadingTypeCode": "ORA_ABSOLUTE", "MeterUsageCode": "ORA_ASSET", "ReadingValue": 1108.12},
        headers={**basic, "Content-Type": "application/vnd.oracle.adf.resourceitem+json"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    edit = {"maximumReading": 5, "multiplier": 3, "observationRule": "Trip", "unitCode": "MWh",
            "udfs": [{"udfId": 2, "value": "400"}]}  # fmt: skip
    assert client.put("/api/v202101/meter/501/channel/10001/version/2", json=edit,
                      headers={"ECI-ApiKey": tenant}).status_code == 200  # fmt: skip
    tesma = {"X-API-KEY": tenant, "CorporateGroup-Name": "ACME"}
    assert client.patch("/v1/leases/assets", json=[{"assetId": 111, "serialNumber": "SNAP"}, {"assetId": 333}],
                        headers=tesma).status_code == 202  # fmt: skip
    client.post("/__admin/jobs/run", params={"tenant": tenant})
    # A second job left pending: the snapshot must keep it, unfinished.
    client.patch("/v1/leases/assets", json=[{"assetId": 222, "costCenter": "1"}], headers=tesma)


def test_a_snapshot_of_every_api_loads_back_exactly(client, tenant):
    change_every_api(client, tenant)
    snapshot = client.get("/__admin/state", params={"tenant": tenant}).json()
    assert set(snapshot) == {api.id for api in discover_apis()}
    assert [job["status"] for job in snapshot["tesma"]["jobs"]] == ["partiallySuccessful", "notStarted"]
    copy = "copy-" + tenant
    assert client.post("/__admin/fixtures", params={"tenant": copy}, json=snapshot).status_code == 200
    restored = client.get("/__admin/state", params={"tenant": copy}).json()
    for api in snapshot:
        assert restored[api] == snapshot[api], api


def test_a_mock_starts_from_a_saved_snapshot(client, tenant, tmp_path):
    change_every_api(client, tenant)
    snapshot = client.get("/__admin/state", params={"tenant": tenant}).json()
    saved = tmp_path / "snapshot.yaml"
    saved.write_text(yaml.safe_dump(snapshot))
    with TestClient(build_app(Settings(fixtures=saved))) as restarted:
        restarted.put("/__admin/clock", json=FROZEN)
        assert restarted.get("/__admin/state", params={"tenant": "anyone"}).json() == snapshot
