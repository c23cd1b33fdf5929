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


def test_units_and_observation_types_named_only_by_channels_are_derived(client, tenant):
    section = {"meters": [{"meterId": 1}], "channels": [{"channelId": 2, "meterId": 1, "observationTypeCode": "Gas",
               "versions": [{"versionId": 3, "unitCode": "CCF", "observationRule": "Trip"}]}]}  # fmt: skip
    assert client.post("/__admin/fixtures", params={"tenant": tenant}, json={"energycap": section}).status_code == 200
    channel = client.get("/api/v202101/meter/1/channel/2", headers={"ECI-ApiKey": tenant}).json()
    assert channel["channelVersions"][0]["unit"] == {"unitId": 1, "unitCode": "CCF", "unitInfo": "CCF"}
    assert channel["observationType"]["observationTypeId"] == 1
    edit = {"maximumReading": 0, "multiplier": 1, "observationRule": "Trip", "unitCode": "CCF"}
    assert client.put("/api/v202101/meter/1/channel/2/version/3", json=edit, headers={"ECI-ApiKey": tenant}).is_success


def test_a_fixture_giving_a_value_to_an_undefined_udf_is_refused(client, tenant):
    section = {"meters": [{"meterId": 1}], "channels": [{"channelId": 2, "meterId": 1, "observationTypeCode": "Gas",
               "versions": [{"versionId": 3, "unitCode": "CCF", "observationRule": "Trip",
                             "udfs": [{"udfId": 7, "value": "x"}]}]}]}  # fmt: skip
    refused = client.post("/__admin/fixtures", params={"tenant": tenant}, json={"energycap": section})
    assert refused.status_code == 400 and "no UDF 7" in refused.text, refused.text


def test_a_snapshot_restores_edited_versions_and_udf_values(client, tenant):
    key = {"ECI-ApiKey": tenant}
    edit = {"beginDate": "2024-07-01", "maximumReading": 5, "multiplier": 3, "observationRule": "Trip",
            "unitCode": "MWh", "udfs": [{"udfId": 1, "value": None}, {"udfId": 2, "value": "400"}]}  # fmt: skip
    edited = client.put("/api/v202101/meter/501/channel/10001/version/2", json=edit, headers=key).json()
    snapshot = client.get("/__admin/state", params={"tenant": tenant}).json()
    assert client.post("/__admin/fixtures", params={"tenant": "copy-" + tenant}, json=snapshot).status_code == 200
    copy = client.get("/api/v202101/meter/501/channel/10001", headers={"ECI-ApiKey": "copy-" + tenant}).json()
    assert copy == edited
