"""The Oracle API through HTTP, for what the conformance scenarios do not reach: snapshots, auth modes."""

READINGS = "/fscmRestApi/resources/11.13.18.05/meterReadings"
HOURS = {"AssetNumber": "F0554-02", "MeterCode": "0554 HOURS", "ReadingTypeCode": "ORA_ABSOLUTE"}


def test_a_snapshot_restores_the_reading_history_exactly(client, tenant):
    created = client.post(
        READINGS, json={**HOURS, "ReadingDate": "2026-04-01T00:00:00Z", "ReadingValue": 1200}, auth=(tenant, "x")
    )
    assert created.status_code == 201, created.text
    snapshot = client.get("/__admin/state", params={"tenant": tenant}).json()
    assert client.post("/__admin/fixtures", params={"tenant": "copy-" + tenant}, json=snapshot).status_code == 200
    copy = client.get(f"{READINGS}/{created.json()['MeterReadingId']}", auth=("copy-" + tenant, "x"))
    assert copy.status_code == 200
    assert copy.json()["NetValue"] == created.json()["NetValue"]


def test_strict_mode_accepts_only_listed_users(make_client):
    client = make_client(auth_mode="strict")
    assert client.get(f"{READINGS}/300100141425001", auth=("demo-oracle-user", "any")).status_code == 200
    refused = client.get(f"{READINGS}/300100141425001", auth=("stranger", "any"))
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/vnd.oracle.adf.error+json"
    assert refused.json()["o:errorCode"] == "ORA_ADF_UNAUTHORIZED"


def test_a_history_the_api_would_refuse_cannot_be_loaded(client, tenant):
    section = client.get("/__admin/state", params={"tenant": tenant}).json()["oracle"]
    section["readings"].append(
        {"meterReadingId": 1, "meterId": 300100141395131, "readingDate": "2026-05-01T00:00:00Z",
         "readingTypeCode": "ORA_ABSOLUTE", "readingValue": 900}
    )  # fmt: skip
    response = client.post("/__admin/fixtures", params={"tenant": tenant}, json={"oracle": section})
    assert response.status_code == 400
    assert "ORA-MR-013" in response.json()["detail"] or "between" in response.json()["detail"]


def test_answers_use_the_media_type_the_client_asks_for(client, tenant):
    item = client.get(f"{READINGS}/300100141425001", auth=(tenant, "x"))
    assert item.headers["content-type"] == "application/vnd.oracle.adf.resourceitem+json"
    plain = client.get(f"{READINGS}/300100141425001", auth=(tenant, "x"), headers={"Accept": "application/json"})
    assert plain.headers["content-type"] == "application/json"


def test_answers_carry_the_framework_headers_oracle_always_sends(client, tenant):
    plain = client.get(f"{READINGS}/300100141425001", auth=(tenant, "x"))
    assert (plain.headers["rest-framework-version"], plain.headers["metadata-context"]) == ("1", "")
    sandboxed = client.get(
        READINGS,
        auth=(tenant, "x"),
        headers={"REST-Framework-Version": "4", "Metadata-Context": 'sandbox="TrackEmployeeFeature"'},
    )
    assert sandboxed.headers["rest-framework-version"] == "4"
    assert sandboxed.headers["metadata-context"] == 'sandbox="TrackEmployeeFeature"'


def test_the_create_answer_has_the_nulls_of_the_vendors_examples(client, tenant):
    # Oracle's example 1 names the meter by AssetNumber and MeterCode, and answers both (and more) null.
    sent = {**HOURS, "ReadingDate": "2026-04-01T00:00:00Z", "ReadingValue": 1200, "MeterUsageCode": "ORA_ASSET"}
    created = client.post(READINGS, json=sent, auth=(tenant, "x"))
    assert created.status_code == 201, created.text
    vendor_nulls = {"ModifiedFlag", "InitialFlag", "DisabledFlag", "MeterDefinitionId", "MeterCode", "AssetNumber",
                    "AssetId"}  # fmt: skip
    assert {name for name, value in created.json().items() if value is None} >= vendor_nulls, created.text
    assert (created.json()["RolloverFlag"], created.json()["ResetFlag"]) == (False, False)
    read = client.get(f"{READINGS}/{created.json()['MeterReadingId']}", auth=(tenant, "x")).json()
    assert (read["AssetNumber"], read["MeterCode"], read["DisabledFlag"]) == ("F0554-02", "0554 HOURS", False)


def test_privileges_are_per_credential_and_kept_in_snapshots(client, tenant):
    section = client.get("/__admin/state", params={"tenant": tenant}).json()["oracle"]
    assert "privileges" not in section, "a credential holds every privilege unless told otherwise"
    viewer = {**section, "privileges": ["CSE_VIEW_ENTERPRISE_ASSETS_PRIV"]}
    assert client.post("/__admin/fixtures", params={"tenant": tenant}, json={"oracle": viewer}).status_code == 200
    assert client.get(f"{READINGS}/300100141425001", auth=(tenant, "x")).status_code == 200
    refused = client.post(READINGS, json={**HOURS, "ReadingDate": "2026-04-01T00:00:00Z", "ReadingValue": 1200},
                          auth=(tenant, "x"))  # fmt: skip
    assert (refused.status_code, refused.json()["o:errorCode"]) == (403, "ORA_ADF_FORBIDDEN"), refused.text
    assert refused.headers["content-type"] == "application/vnd.oracle.adf.error+json"
    kept = client.get("/__admin/state", params={"tenant": tenant}).json()["oracle"]["privileges"]
    assert kept == ["CSE_VIEW_ENTERPRISE_ASSETS_PRIV"]
