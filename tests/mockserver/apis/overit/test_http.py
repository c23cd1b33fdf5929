"""The OverIT API through HTTP: the contract's statuses and codes, all-or-nothing, the vendor's error body."""

import pytest

BATCH = "/assets/r1/accounts/{account}/measuring-elements/{element}/measures/batch"


def batch_url(account=1001, element=2101):
    return BATCH.format(account=account, element=element)


def patch(client, tenant, body, account=1001, element=2101, **kwargs):
    headers = {"Authorization": f"Bearer {tenant}", **kwargs.pop("headers", {})}
    return client.patch(batch_url(account, element), json=body, headers=headers, **kwargs)


def measures(client, tenant, element_id):
    state = client.get("/__admin/state", params={"tenant": tenant}).json()
    for account in state["overit"]["accounts"]:
        for element in account["measuringElements"]:
            if element["id"] == element_id:
                return {m["id"]: m for m in element["measures"]}
    raise AssertionError(f"no element {element_id}")


def assert_error(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["code"] == code
    assert body["errors"] and all("message" in entry for entry in body["errors"])


def test_an_accepted_batch_answers_the_ids_and_stores_the_change(client, tenant):
    response = patch(client, tenant, [{"id": 3101, "value": 5.5, "note": "after repair"}])
    assert response.status_code == 200
    assert response.json() == {"payload": [3101]}
    stored = measures(client, tenant, 2101)[3101]
    assert (stored["value"], stored["note"]) == (5.5, "after repair")


@pytest.mark.parametrize(
    ("account", "element", "body", "status", "code"),
    [
        (999, 2101, [{"id": 3101}], 404, "NOT_FOUND"),
        (1002, 2101, [{"id": 3101}], 404, "NOT_FOUND"),
        (1001, 2101, [{"id": 3501}], 404, "NOT_FOUND"),
        (1001, 2101, [{"id": 3100, "value": 1}], 400, "ASSETS_ORCHESTRATOR_011"),
        (1001, 2001, [{"id": 3001, "value": 1}], 400, "ASSETS_ORCHESTRATOR_012"),
        (1001, 2101, [{"id": 3101, "deltaValue": 1}], 400, "ASSETS_ORCHESTRATOR_013"),
        (1001, 2201, [{"id": 3201, "value": 1, "deltaValue": 1}], 400, "ASSETS_ORCHESTRATOR_014"),
        (1001, 2101, [{"id": 3101, "catalogCodeId": 9001}], 400, "ASSETS_ORCHESTRATOR_016"),
        (1001, 2001, [{"id": 3001, "catalogCodeId": 9101}], 400, "ASSETS_ORCHESTRATOR_016"),
        (1001, 2201, [{"id": 3201, "value": 2}], 400, "PROPERTY_REQUIRED"),
        (1001, 2301, [{"id": 3301, "value": 6000}], 400, "PROPERTY_REQUIRED"),
        (1001, 2101, [{"id": 3101, "unfeasible": True}], 200, None),
        (1001, 2201, [{"id": 3201, "externalCode": "READ-2026-0000"}], 400, "BASE_0011"),
        (1001, 2101, [{"id": 3101}, {"id": 3101}], 400, "BASE_0001"),
        (1001, 2101, [], 400, "BASE_0006"),
        (1001, 2101, [{"id": 3101}] * 51, 400, "BASE_0006"),
        (1001, 2101, [{"id": 3101, "colour": "red"}], 400, "BASE_0001"),
        (1001, 2101, [{"id": "3101"}], 400, "BASE_0001"),
        (1001, 2101, [{"value": 1}], 400, "BASE_0001"),
        (1001, 2101, {"id": 3101}, 400, "BASE_0001"),
        (1001, 2101, [{"id": 3101, "note": "x" * 4001}], 400, "BASE_0001"),
        (1001, 2101, [{"id": 3101, "measuringDate": "yesterday"}], 400, "BASE_0001"),
        (1001, 2101, [{"id": 2**63}], 400, "BASE_0001"),
    ],
)
def test_each_documented_outcome(client, tenant, account, element, body, status, code):
    response = patch(client, tenant, body, account, element)
    if code is None:
        assert response.status_code == status, response.text
    else:
        assert_error(response, status, code)


def test_unfeasible_without_a_previous_measure_is_refused(client, tenant):
    response = patch(
        client, tenant, [{"id": 3201, "unfeasible": True, "measuringDate": "2026-10-01T00:00:00Z"}], 1001, 2201
    )
    assert_error(response, 400, "ASSETS_ORCHESTRATOR_018")


def test_a_refused_batch_changes_nothing(client, tenant):
    before = measures(client, tenant, 2201)
    response = patch(client, tenant, [{"id": 3202, "value": 999, "note": "fine"}, {"id": 3201, "value": 2}], 1001, 2201)
    assert_error(response, 400, "PROPERTY_REQUIRED")
    assert response.json()["errors"][0]["index"] == 1
    assert measures(client, tenant, 2201) == before


def test_a_missing_or_malformed_token_is_refused_in_the_vendor_format(client):
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer a b"}, {"Authorization": "Basic x"}):
        response = client.patch(batch_url(), json=[{"id": 3101}], headers=headers)
        assert_error(response, 401, "UNAUTHORIZED")


def test_bodies_that_are_not_json_are_refused_not_crashed(client, tenant):
    auth = {"Authorization": f"Bearer {tenant}"}
    for content in (b"\xff\xfe[]", b"[{", b"[NaN]", b""):
        response = client.patch(batch_url(), content=content, headers={**auth, "Content-Type": "application/json"})
        assert_error(response, 400, "BASE_0001")
    response = client.patch(batch_url(), content=b"[]", headers={**auth, "Content-Type": "text/plain"})
    assert_error(response, 415, "BASE_0001")


def test_unknown_paths_and_methods_answer_in_the_vendor_format(client, tenant):
    auth = {"Authorization": f"Bearer {tenant}"}
    assert_error(client.get("/assets/r1/nowhere", headers=auth), 404, "NOT_FOUND")
    assert_error(client.get(batch_url(), headers=auth), 405, "BASE_0001")
    # The router only matches integer ids, so a non-numeric id names no resource.
    assert_error(client.patch(BATCH.format(account="abc", element=1), json=[], headers=auth), 404, "NOT_FOUND")
    assert_error(client.patch(BATCH.format(account=0, element=1), json=[{"id": 1}], headers=auth), 400, "BASE_0001")
