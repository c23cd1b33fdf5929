"""The tesma fixture section: what the store cannot hold is refused when loaded, not when a job reaches it."""

import pytest

JOB = {"id": 1, "corporateGroup": "ACME", "createDate": "2026-01-01T00:00:00Z", "status": "notStarted"}


@pytest.mark.parametrize("asset_id", [2**63, -(2**63) - 1])
def test_a_job_patch_naming_an_asset_id_the_store_cannot_hold_is_refused(client, tenant, asset_id):
    items = [{"patch": {"assetId": 1}}, {"patch": {"assetId": asset_id}}]
    document = {"tesma": {"corporateGroups": [{"name": "ACME"}], "jobs": [{**JOB, "items": items}]}}
    response = client.post("/__admin/fixtures", params={"tenant": tenant}, json=document)
    assert response.status_code == 400
    assert "assetId" in response.text
