"""Credentials name tenants; tenants start from the dataset and never see each other's data."""

BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"


def note_of(client, tenant, measure_id=3101):
    state = client.get("/__admin/state", params={"tenant": tenant}).json()
    for account in state["overit"]["accounts"]:
        for element in account["measuringElements"]:
            for measure in element["measures"]:
                if measure["id"] == measure_id:
                    return measure.get("note")
    raise AssertionError(measure_id)


def write_note(client, tenant, note):
    return client.patch(BATCH, json=[{"id": 3101, "note": note}], headers={"Authorization": f"Bearer {tenant}"})


def test_tenants_never_see_each_others_data(client):
    assert write_note(client, "alpha", "mine").status_code == 200
    assert note_of(client, "alpha") == "mine"
    assert note_of(client, "beta") is None


def test_reset_puts_one_tenant_back_to_the_dataset(client):
    write_note(client, "alpha", "a")
    write_note(client, "beta", "b")
    assert client.post("/__admin/reset", params={"tenant": "alpha"}).json() == {"reset": "alpha"}
    assert (note_of(client, "alpha"), note_of(client, "beta")) == (None, "b")
    client.post("/__admin/reset")
    assert note_of(client, "beta") is None


def test_loaded_fixtures_replace_a_tenants_section(client, tenant):
    document = {"overit": {"accounts": [{"id": 1001, "measuringElements": [{"id": 2101, "characteristicId": 1}]}]}}
    document["overit"]["characteristics"] = [{"id": 1, "kind": "plain"}]
    document["overit"]["accounts"][0]["measuringElements"][0]["measures"] = [{"id": 3101, "status": "TO_VALIDATE"}]
    assert client.post("/__admin/fixtures", params={"tenant": tenant}, json=document).status_code == 200
    state = client.get("/__admin/state", params={"tenant": tenant}).json()["overit"]
    assert [account["id"] for account in state["accounts"]] == [1001]
    assert write_note(client, tenant, "x").status_code == 200


def test_a_bad_fixture_document_is_refused_and_changes_nothing(client, tenant):
    write_note(client, tenant, "kept")
    for document in ({"nope": {}}, {"overit": {"accounts": [{"code": "no id"}]}}, {"overit": []}):
        response = client.post("/__admin/fixtures", params={"tenant": tenant}, json=document)
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
    assert note_of(client, tenant) == "kept"


def test_loading_a_dataset_without_tenant_resets_everyone_onto_it(client):
    write_note(client, "alpha", "a")
    document = {"overit": {"accounts": [{"id": 7}]}}
    assert client.post("/__admin/fixtures", json=document).status_code == 200
    assert client.get("/__admin/state", params={"tenant": "alpha"}).json()["overit"]["accounts"][0]["id"] == 7


def test_strict_mode_accepts_only_listed_credentials(make_client):
    client = make_client(auth_mode="strict")
    assert write_note(client, "demo-overit-token", "x").status_code == 200
    refused = write_note(client, "someone-else", "x")
    assert (refused.status_code, refused.json()["code"]) == (401, "UNAUTHORIZED")
    client.post(
        "/__admin/fixtures", params={"tenant": "someone-else"}, json={"overit": {"credentials": ["someone-else"]}}
    )
    assert write_note(client, "someone-else", "x").status_code in (200, 404)


def test_open_mode_refuses_malformed_credentials(client):
    for token in ("has space", "x" * 600, "semi;colon"):
        response = client.patch(BATCH, json=[{"id": 3101}], headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


def test_fixture_documents_that_contradict_themselves_are_refused_not_crashed(client, tenant):
    duplicate_measures = {
        "overit": {
            "accounts": [
                {"id": 1, "measuringElements": [{"id": 2, "measures": [{"id": 3, "status": "TO_VALIDATE"}] * 2}]}
            ]
        }
    }
    response = client.post("/__admin/fixtures", params={"tenant": tenant}, json=duplicate_measures)
    assert response.status_code == 400, response.text
    assert "duplicate" in response.json()["detail"].lower()


def test_a_credential_listed_twice_is_accepted_once(client, tenant):
    document = {"overit": {"credentials": ["twice", "twice"]}}
    assert client.post("/__admin/fixtures", params={"tenant": tenant}, json=document).status_code == 200


def test_a_first_request_that_fails_leaves_the_tenant_to_be_seeded_again(client, tenant, monkeypatch):
    from mockserver.apis.overit import repository

    def fail(*args, **kwargs):
        raise RuntimeError("store failure")

    with monkeypatch.context() as patch:
        patch.setattr(repository, "measures_of", fail)
        assert write_note(client, tenant, "lost").status_code == 500
    assert write_note(client, tenant, "kept").status_code == 200
    assert note_of(client, tenant) == "kept"
