"""EnergyCAP through HTTP, for what the conformance scenarios do not reach: snapshots, auth modes."""


def test_a_snapshot_restores_imported_readings_exactly(client, tenant):
    key = {"ECI-ApiKey": tenant}
    imported = client.post(
        "/api/v3/reading", json=[{"channelId": 10002, "readings": [{"time": "2026-04-01", "value": 3}]}], headers=key
    )
    assert imported.json()["importedReadingsCount"] == 1
    snapshot = client.get("/__admin/state", params={"tenant": tenant}).json()
    assert client.post("/__admin/fixtures", params={"tenant": "copy-" + tenant}, json=snapshot).status_code == 200
    copy = client.get("/api/v3/channel/10002/reading", headers={"ECI-ApiKey": "copy-" + tenant}).json()
    assert [(r["time"], r["value"]) for r in copy["readings"]] == [("2026-04-01T00:00:00Z", 3)]
    assert (
        client.get("/__admin/state", params={"tenant": "copy-" + tenant}).json()["energycap"] == snapshot["energycap"]
    )


def test_strict_mode_accepts_only_listed_keys(make_client):
    client = make_client(auth_mode="strict")
    assert client.get("/api/v3/channel/10001/reading", headers={"ECI-ApiKey": "demo-energycap-key"}).status_code == 200
    refused = client.get("/api/v3/channel/10001/reading", headers={"ECI-ApiKey": "stranger"})
    assert (refused.status_code, refused.json()["code"]) == (401, "UNAUTHORIZED")
