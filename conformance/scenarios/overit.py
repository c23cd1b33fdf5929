"""OverIT NextGen measures batch: one scenario per x-rules entry of specs/overit-measures.yaml."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from conformance.contracts import Contract
from conformance.expect import expect_status, rule
from conformance.scenario import ScenarioApi
from conformance.target import Target

API = "overit"
BATCH = "/accounts/{account}/measuring-elements/{element}/measures/batch"

# Elements: 200 no characteristic + catalog group 1; 210 plain; 220 forward meter (wraps after 999);
# 230 backward meter; 240 plain with no earlier measure; 250 belongs to account 101.
SECTION: dict[str, Any] = {
    "characteristics": [
        {"id": 1, "kind": "plain"},
        {"id": 2, "kind": "meter", "direction": "FORWARD", "maxReading": 999},
        {"id": 3, "kind": "meter", "direction": "BACKWARD", "maxReading": 99999},
    ],
    "catalogGroups": [
        {"id": 1, "codes": [{"id": 11, "code": "OK"}, {"id": 12, "code": "LEAK"}]},
        {"id": 2, "codes": [{"id": 21, "code": "OTHER"}]},
    ],
    "accounts": [
        {
            "id": 100,
            "code": "CONFORMANCE",
            "measuringElements": [
                {
                    "id": 200,
                    "catalogGroupId": 1,
                    "measures": [
                        {"id": 300, "status": "TO_VALIDATE", "measuringDate": "2026-11-10T00:00:00Z"},
                        {"id": 301, "status": "VALIDATED", "measuringDate": "2026-11-01T00:00:00Z"},
                        {"id": 302, "status": "REJECTED", "measuringDate": "2026-11-02T00:00:00Z"},
                    ],
                },
                {
                    "id": 210,
                    "characteristicId": 1,
                    "measures": [
                        {"id": 310, "status": "VALIDATED", "measuringDate": "2026-11-01T00:00:00Z", "value": 4},
                        {"id": 311, "status": "TO_VALIDATE", "measuringDate": "2026-11-10T00:00:00Z"},
                        {"id": 312, "status": "TO_VALIDATE", "measuringDate": "2026-11-11T00:00:00Z"},
                    ],
                },
                {
                    "id": 220,
                    "characteristicId": 2,
                    "measures": [
                        {
                            "id": 320,
                            "status": "VALIDATED",
                            "measuringDate": "2026-11-01T00:00:00Z",
                            "value": 995,
                            "externalCode": "EXT-1",
                        },
                        {"id": 321, "status": "TO_VALIDATE", "measuringDate": "2026-11-10T00:00:00Z"},
                        {"id": 322, "status": "TO_VALIDATE", "measuringDate": "2026-11-11T00:00:00Z"},
                    ],
                },
                {
                    "id": 230,
                    "characteristicId": 3,
                    "measures": [
                        {"id": 330, "status": "VALIDATED", "measuringDate": "2026-11-01T00:00:00Z", "value": 5000},
                        {"id": 331, "status": "TO_VALIDATE", "measuringDate": "2026-11-10T00:00:00Z"},
                    ],
                },
                {
                    "id": 240,
                    "characteristicId": 1,
                    "measures": [{"id": 340, "status": "TO_VALIDATE", "measuringDate": "2026-11-10T00:00:00Z"}],
                },
            ],
        },
        {
            "id": 101,
            "measuringElements": [
                {
                    "id": 250,
                    "characteristicId": 1,
                    "measures": [{"id": 350, "status": "TO_VALIDATE", "measuringDate": "2026-11-10T00:00:00Z"}],
                }
            ],
        },
    ],
}


seeded = pytest.mark.seeded
OBJECTS = {
    "account": "an account id",
    "element": "a measuring element of `account` with a plain (not meter) characteristic and no catalog group",
    "toValidate": "two measure ids of `element` in status To Validate",
    "notToValidate": "a list of {element, measure}: measures of `account` that are validated or rejected",
    "otherAccount": "{element, measure}: a measuring element of another account and one of its measures",
    "catalog": "{element, measure, code, otherCode}: an element of `account` with a catalog group and no "
    "characteristic, one of its measures To Validate, a catalog code of its group and one of another group",
    "forwardMeter": "{element, measure, previousValue, takenExternalCode}: an element with a FORWARD meter "
    "characteristic, one of its measures To Validate, the value of the measure before it, and an externalCode "
    "another measure of the element has",
    "backwardMeter": "{element, measure, previousValue}: the same for a BACKWARD meter",
    "noPrevious": "{element, measure, account?}: a measure To Validate with no earlier measure on its element "
    "(name its account when it is not `account`)",
}
DEFAULTS = {
    "account": 100, "element": 210, "toValidate": [311, 312],
    "notToValidate": [{"element": 210, "measure": 310}, {"element": 200, "measure": 301},
                      {"element": 200, "measure": 302}],
    "otherAccount": {"element": 250, "measure": 350},
    "catalog": {"element": 200, "measure": 300, "code": 12, "otherCode": 21},
    "forwardMeter": {"element": 220, "measure": 321, "previousValue": 995, "takenExternalCode": "EXT-1"},
    "backwardMeter": {"element": 230, "measure": 331, "previousValue": 5000},
    "noPrevious": {"element": 240, "measure": 340},
}  # fmt: skip


class Overit(ScenarioApi):
    """The calls the scenarios make."""

    def on(self, named: str, batch: list[dict[str, Any]]) -> httpx.Response:
        """A batch for the element of a named {element, measure} object; "measure" in an item stands for its id."""
        entry = self.objects[named]
        items = [{**item, "id": entry["measure"] if item.get("id") == "measure" else item["id"]} for item in batch]
        return self.patch(items, account=entry.get("account"), element=entry["element"])

    def two_to_validate(self) -> tuple[int, int]:
        measures = self.objects["toValidate"]
        if len(measures) < 2:
            pytest.skip("toValidate needs two measures")
        return measures[0], measures[1]

    def _path(self, account: int | None, element: int | None) -> str:
        return BATCH.format(account=self.objects["account"] if account is None else account,
                            element=self.objects["element"] if element is None else element)  # fmt: skip

    def patch(self, body: Any, account: int | None = None, element: int | None = None, **kwargs: Any) -> httpx.Response:
        return self.client.request("PATCH", self._path(account, element), json=body, **kwargs)

    def send(self, content: bytes, content_type: str) -> httpx.Response:
        return self.client.request(
            "PATCH", self._path(None, None), content=content, headers={"Content-Type": content_type}
        )

    def stored_measure(self, element_id: int, measure_id: int) -> dict[str, Any]:
        if not self.target.has_admin:
            pytest.skip("reading stored measures needs the mock's /__admin state")
        assert self.client.credential is not None
        for account in self.target.state(API, self.client.credential)["accounts"]:
            for element in account["measuringElements"]:
                for measure in element["measures"]:
                    if element["id"] == element_id and measure["id"] == measure_id:
                        return measure
        raise AssertionError(f"measure {measure_id} not found on element {element_id}")


@pytest.fixture
def overit(target: Target, contracts: dict[str, Contract]) -> Overit:
    return Overit(target, contracts[API], SECTION, DEFAULTS)


@rule("OVERIT-MB-001")
def test_a_batch_of_51_measures_is_refused(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 311, "note": f"n{i}"} for i in range(51)]), "OVERIT-MB-001")


@rule("OVERIT-MB-002")
def test_an_empty_batch_is_refused(overit: Overit) -> None:
    overit.expect(overit.patch([]), "OVERIT-MB-002")


@rule("OVERIT-MB-003")
@pytest.mark.parametrize(
    "body",
    [
        [{"id": 311, "colour": "red"}],
        [{"id": "311"}],
        [{"note": "no id"}],
        {"id": 311},
        [{"id": 311, "note": "x" * 4001}],
        [{"id": 311, "measuringDate": "yesterday"}],
        [{"id": 311, "rotations": -1}],
    ],
    ids=[
        "unknown-field",
        "id-as-string",
        "missing-id",
        "not-an-array",
        "note-too-long",
        "bad-date",
        "negative-rotations",
    ],
)
def test_a_body_off_the_schema_is_refused(overit: Overit, body: Any) -> None:
    overit.expect(overit.patch(body), "OVERIT-MB-003")


@rule("OVERIT-MB-004")
@pytest.mark.parametrize("authorization", [None, "Bearer", "Basic dXNlcjpwdw==", "Bearer two words"])
def test_a_request_without_a_valid_bearer_token_is_refused(overit: Overit, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = overit.client.request(
        "PATCH", overit._path(None, None), json=[{"id": 311}], authenticated=False, headers=headers
    )
    overit.expect(response, "OVERIT-MB-004")


@rule("OVERIT-MB-005")
def test_an_unknown_account_is_not_found(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 311}], account=999999), "OVERIT-MB-005")


@rule("OVERIT-MB-006")
@pytest.mark.parametrize("case", ["unknown", "other-account"])
def test_an_element_must_exist_on_the_account(overit: Overit, case: str) -> None:
    # The measure is the other element's own, so only the account check can refuse the other-account case.
    other = overit["otherAccount"]
    element = 999999 if case == "unknown" else other["element"]
    overit.expect(overit.patch([{"id": other["measure"]}], element=element), "OVERIT-MB-006")


@rule("OVERIT-MB-007")
@pytest.mark.parametrize("case", ["other-element", "unknown"])
def test_a_measure_must_belong_to_the_element(overit: Overit, case: str) -> None:
    measure = overit["otherAccount"]["measure"] if case == "other-element" else 999999
    overit.expect(overit.patch([{"id": measure, "note": "x"}]), "OVERIT-MB-007")


@rule("OVERIT-MB-008")
def test_only_a_measure_to_validate_can_change(overit: Overit) -> None:
    for entry in overit["notToValidate"]:
        response = overit.patch([{"id": entry["measure"], "note": "late change"}], element=entry["element"])
        overit.expect(response, "OVERIT-MB-008")


@rule("OVERIT-MB-009")
def test_value_needs_a_characteristic(overit: Overit) -> None:
    overit.expect(overit.on("catalog", [{"id": "measure", "value": 1}]), "OVERIT-MB-009")


@rule("OVERIT-MB-010")
def test_delta_value_needs_a_meter_characteristic(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": overit["toValidate"][0], "deltaValue": 1}]), "OVERIT-MB-010")


@rule("OVERIT-MB-011")
def test_rotations_need_a_meter_characteristic(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": overit["toValidate"][0], "value": 1, "rotations": 1}]), "OVERIT-MB-011")


@rule("OVERIT-MB-012")
def test_value_and_delta_value_are_not_sent_together(overit: Overit) -> None:
    meter = overit["forwardMeter"]
    batch = [{"id": "measure", "value": meter["previousValue"] + 1, "deltaValue": 1}]
    overit.expect(overit.on("forwardMeter", batch), "OVERIT-MB-012")


@rule("OVERIT-MB-013")
def test_catalog_code_needs_a_catalog_group(overit: Overit) -> None:
    batch = [{"id": overit["toValidate"][0], "catalogCodeId": overit["catalog"]["code"]}]
    overit.expect(overit.patch(batch), "OVERIT-MB-013")


@rule("OVERIT-MB-014")
def test_catalog_code_must_be_of_the_elements_group(overit: Overit) -> None:
    catalog = overit["catalog"]
    overit.expect(overit.on("catalog", [{"id": "measure", "catalogCodeId": catalog["otherCode"]}]), "OVERIT-MB-014")
    if overit.on_mock:  # the code of the group is accepted: a write, on our mock's own measure only
        expect_status(overit.patch([{"id": 300, "catalogCodeId": 12}], element=200), 200, "a code of the group")


@rule("OVERIT-MB-015")
def test_external_code_is_unique_on_the_element(overit: Overit) -> None:
    taken = overit["forwardMeter"]["takenExternalCode"]
    overit.expect(overit.on("forwardMeter", [{"id": "measure", "externalCode": taken}]), "OVERIT-MB-015")


@rule("OVERIT-MB-016")
def test_external_code_is_unique_within_the_batch(overit: Overit) -> None:
    first, second = overit.two_to_validate()
    body = [{"id": first, "externalCode": "TWIN-7f3a"}, {"id": second, "externalCode": "TWIN-7f3a"}]
    overit.expect(overit.patch(body), "OVERIT-MB-016")


@rule("OVERIT-MB-017")
def test_the_same_measure_twice_is_refused(overit: Overit) -> None:
    measure = overit["toValidate"][0]
    overit.expect(overit.patch([{"id": measure, "note": "a"}, {"id": measure, "note": "b"}]), "OVERIT-MB-017")


@rule("OVERIT-MB-018")
@seeded
def test_an_unfeasible_measure_takes_the_previous_values(overit: Overit) -> None:
    response = overit.patch([{"id": 321, "unfeasible": True, "value": 7, "note": "gate locked"}], element=220)
    overit.expect(response, "OVERIT-MB-018")
    stored = overit.stored_measure(220, 321)
    assert stored.get("value") == 995, f"the value of the previous measure (995) was expected, stored: {stored}"
    assert stored.get("note") == "gate locked", stored


@rule("OVERIT-MB-019")
def test_unfeasible_needs_a_previous_measure(overit: Overit) -> None:
    overit.expect(overit.on("noPrevious", [{"id": "measure", "unfeasible": True}]), "OVERIT-MB-019")


@rule("OVERIT-MB-020")
def test_a_forward_meter_going_down_needs_rotations(overit: Overit) -> None:
    below = overit["forwardMeter"]["previousValue"] - 1
    overit.expect(overit.on("forwardMeter", [{"id": "measure", "value": below}]), "OVERIT-MB-020")
    if overit.on_mock:  # with rotations it is accepted: a write, on our mock's own measure only
        expect_status(overit.patch([{"id": 321, "value": 2, "rotations": 1}], element=220), 200, "with rotations")


@rule("OVERIT-MB-021")
def test_a_backward_meter_going_up_needs_rotations(overit: Overit) -> None:
    above = overit["backwardMeter"]["previousValue"] + 1000
    overit.expect(overit.on("backwardMeter", [{"id": "measure", "value": above}]), "OVERIT-MB-021")
    if overit.on_mock:  # with rotations it is accepted: a write, on our mock's own measure only
        expect_status(overit.patch([{"id": 331, "value": 6000, "rotations": 1}], element=230), 200, "with rotations")


@rule("OVERIT-MB-022")
def test_a_refused_batch_changes_nothing(overit: Overit, read_only: bool) -> None:
    frozen = next((entry for entry in overit["notToValidate"] if entry["element"] == overit["element"]), None)
    if frozen is None:
        pytest.skip("notToValidate needs a measure of `element`")
    first, second = overit.two_to_validate()
    code = f"ONLY-IF-ALL-{uuid.uuid4().hex[:12]}"  # new on every run: a real target keeps what earlier runs stored
    refused = overit.patch([{"id": second, "externalCode": code}, {"id": frozen["measure"], "note": "x"}])
    overit.expect(refused, "OVERIT-MB-022")
    if read_only:  # the refusal alone proves nothing about atomicity: never a pass
        pytest.skip("unverified: the refusal was right, but proving nothing was stored needs a write (--allow-writes)")
    # Had the refused batch's first item been stored, its externalCode would now be taken on the element.
    expect_status(overit.patch([{"id": first, "externalCode": code}]), 200, "the refused batch's code was never stored")


@rule("OVERIT-MB-023")
@pytest.mark.writes
def test_an_accepted_batch_answers_its_ids_and_is_stored(overit: Overit) -> None:
    first, second = overit.two_to_validate()
    code = f"CONF-{uuid.uuid4().hex[:12]}"  # new on every run: a real target keeps what earlier runs stored
    response = overit.patch([{"id": first, "value": 7.5, "externalCode": code}, {"id": second, "note": "ok"}])
    overit.expect(response, "OVERIT-MB-023")
    assert sorted(response.json().get("payload", [])) == sorted([first, second]), response.text
    # The stored externalCode now blocks another measure of the element, and only of that element.
    expect_status(overit.on("noPrevious", [{"id": "measure", "externalCode": code}]), 200, "another element")
    overit.expect(overit.patch([{"id": second, "externalCode": code}]), "OVERIT-MB-015")


@rule("OVERIT-MB-024")
def test_a_body_that_is_not_json_is_refused(overit: Overit) -> None:
    overit.expect(overit.send(b'[{"id": 311}]', "text/plain"), "OVERIT-MB-024")


@rule("OVERIT-MB-025")
@pytest.mark.parametrize("content", [b"\xff\xfe[{}]", b'[{"id": 311', b"[NaN]"], ids=["not-utf8", "truncated", "nan"])
def test_a_body_that_is_not_valid_json_is_refused(overit: Overit, content: bytes) -> None:
    overit.expect(overit.send(content, "application/json"), "OVERIT-MB-025")


@rule("OVERIT-MB-026")
@pytest.mark.parametrize(
    "permissions",
    [["fsm.core.technicalobject.customer.view"], ["fsm.core.technicalobject.measure.edit"], []],
    ids=["without-measuring-element-edit", "without-technical-object", "none"],
)
def test_the_batch_needs_its_permissions(overit: Overit, permissions: list[str]) -> None:
    if not overit.on_mock:
        pytest.skip("needs a credential without the permission, which only our mock can make")
    limited = Overit(overit.target, overit.contract, {**SECTION, "permissions": permissions}, DEFAULTS)
    first, _ = limited.two_to_validate()
    limited.expect(limited.patch([{"id": first, "note": "n"}]), "OVERIT-MB-026")
    enough = ["fsm.core.technicalobject.customer.edit", "fsm.core.technicalobject.measure.edit"]
    allowed = Overit(overit.target, overit.contract, {**SECTION, "permissions": enough}, DEFAULTS)
    expect_status(allowed.patch([{"id": first, "note": "n"}]), 200, "edit and measuring element edit suffice")
