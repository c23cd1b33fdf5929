"""OverIT NextGen measures batch: one scenario per x-rules entry of specs/overit-measures.yaml."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from conformance.contracts import Contract
from conformance.expect import expect_outcome, expect_status, rule
from conformance.target import ApiClient, Objects, Target

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


def error_code(body: Any) -> str | None:
    return body.get("code") if isinstance(body, dict) else None


seeded = pytest.mark.seeded
OBJECTS = {
    "account": "an account id",
    "element": "a measuring element of `account` (refusal scenarios send it batches that must be refused)",
}
DEFAULTS = {"account": 100, "element": 210}


class Overit:
    """A freshly seeded tenant (or a real target's named objects) and the calls the scenarios make."""

    def __init__(self, client: ApiClient, contract: Contract, target: Target, objects: Objects) -> None:
        self.client = client
        self.contract = contract
        self.target = target
        self.objects = objects

    def _path(self, account: int | None, element: int | None) -> str:
        return BATCH.format(account=self.objects["account"] if account is None else account,
                            element=self.objects["element"] if element is None else element)  # fmt: skip

    def patch(self, body: Any, account: int | None = None, element: int | None = None, **kwargs: Any) -> httpx.Response:
        return self.client.request("PATCH", self._path(account, element), json=body, **kwargs)

    def send(self, content: bytes, content_type: str) -> httpx.Response:
        return self.client.request(
            "PATCH", self._path(None, None), content=content, headers={"Content-Type": content_type}
        )

    def expect(self, response: httpx.Response, rule_id: str) -> None:
        expect_outcome(response, self.contract.rule(rule_id), error_code)

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
    client, objects = target.scenario_client(contracts[API], SECTION, DEFAULTS)
    return Overit(client, contracts[API], target, objects)


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
@seeded
@pytest.mark.parametrize(("account", "element"), [(100, 999999), (100, 250)], ids=["unknown", "other-account"])
def test_an_element_must_exist_on_the_account(overit: Overit, account: int, element: int) -> None:
    # Measure 350 is element 250's own, so only the account check can refuse the other-account case.
    overit.expect(overit.patch([{"id": 350}], account=account, element=element), "OVERIT-MB-006")


@rule("OVERIT-MB-007")
@seeded
@pytest.mark.parametrize("measure", [350, 999999], ids=["other-element", "unknown"])
def test_a_measure_must_belong_to_the_element(overit: Overit, measure: int) -> None:
    overit.expect(overit.patch([{"id": measure, "note": "x"}]), "OVERIT-MB-007")


@rule("OVERIT-MB-008")
@seeded
@pytest.mark.parametrize(
    ("element", "measure"), [(210, 310), (200, 301), (200, 302)], ids=["validated", "validated-catalog", "rejected"]
)
def test_only_a_measure_to_validate_can_change(overit: Overit, element: int, measure: int) -> None:
    overit.expect(overit.patch([{"id": measure, "note": "late change"}], element=element), "OVERIT-MB-008")


@rule("OVERIT-MB-009")
@seeded
def test_value_needs_a_characteristic(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 300, "value": 1}], element=200), "OVERIT-MB-009")


@rule("OVERIT-MB-010")
@seeded
def test_delta_value_needs_a_meter_characteristic(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 311, "deltaValue": 1}], element=210), "OVERIT-MB-010")


@rule("OVERIT-MB-011")
@seeded
def test_rotations_need_a_meter_characteristic(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 311, "value": 1, "rotations": 1}], element=210), "OVERIT-MB-011")


@rule("OVERIT-MB-012")
@seeded
def test_value_and_delta_value_are_not_sent_together(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 321, "value": 999, "deltaValue": 4}], element=220), "OVERIT-MB-012")


@rule("OVERIT-MB-013")
@seeded
def test_catalog_code_needs_a_catalog_group(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 311, "catalogCodeId": 11}], element=210), "OVERIT-MB-013")


@rule("OVERIT-MB-014")
@seeded
def test_catalog_code_must_be_of_the_elements_group(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 300, "catalogCodeId": 21}], element=200), "OVERIT-MB-014")
    expect_status(overit.patch([{"id": 300, "catalogCodeId": 12}], element=200), 200, "a code of the group")


@rule("OVERIT-MB-015")
@seeded
def test_external_code_is_unique_on_the_element(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 321, "externalCode": "EXT-1"}], element=220), "OVERIT-MB-015")


@rule("OVERIT-MB-016")
@seeded
def test_external_code_is_unique_within_the_batch(overit: Overit) -> None:
    body = [{"id": 311, "externalCode": "TWIN"}, {"id": 312, "externalCode": "TWIN"}]
    overit.expect(overit.patch(body), "OVERIT-MB-016")


@rule("OVERIT-MB-017")
@seeded
def test_the_same_measure_twice_is_refused(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 311, "note": "a"}, {"id": 311, "note": "b"}]), "OVERIT-MB-017")


@rule("OVERIT-MB-018")
@seeded
def test_an_unfeasible_measure_takes_the_previous_values(overit: Overit) -> None:
    response = overit.patch([{"id": 321, "unfeasible": True, "value": 7, "note": "gate locked"}], element=220)
    overit.expect(response, "OVERIT-MB-018")
    stored = overit.stored_measure(220, 321)
    assert stored.get("value") == 995, f"the value of the previous measure (995) was expected, stored: {stored}"
    assert stored.get("note") == "gate locked", stored


@rule("OVERIT-MB-019")
@seeded
def test_unfeasible_needs_a_previous_measure(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 340, "unfeasible": True}], element=240), "OVERIT-MB-019")


@rule("OVERIT-MB-020")
@seeded
def test_a_forward_meter_going_down_needs_rotations(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 321, "value": 2}], element=220), "OVERIT-MB-020")
    expect_status(overit.patch([{"id": 321, "value": 2, "rotations": 1}], element=220), 200, "with rotations")


@rule("OVERIT-MB-021")
@seeded
def test_a_backward_meter_going_up_needs_rotations(overit: Overit) -> None:
    overit.expect(overit.patch([{"id": 331, "value": 6000}], element=230), "OVERIT-MB-021")
    expect_status(overit.patch([{"id": 331, "value": 6000, "rotations": 1}], element=230), 200, "with rotations")


@rule("OVERIT-MB-022")
@seeded
def test_a_refused_batch_changes_nothing(overit: Overit) -> None:
    refused = overit.patch([{"id": 312, "externalCode": "ONLY-IF-ALL"}, {"id": 310, "note": "frozen"}])
    overit.expect(refused, "OVERIT-MB-022")
    # Had the first measure been written, its externalCode would now be taken.
    expect_status(overit.patch([{"id": 311, "externalCode": "ONLY-IF-ALL"}]), 200, "the code was never stored")


@rule("OVERIT-MB-023")
@seeded
def test_an_accepted_batch_answers_its_ids_and_is_stored(overit: Overit) -> None:
    response = overit.patch([{"id": 311, "value": 7.5, "externalCode": "STORED"}, {"id": 312, "note": "ok"}])
    overit.expect(response, "OVERIT-MB-023")
    assert sorted(response.json().get("payload", [])) == [311, 312], response.text
    # The stored externalCode now blocks another measure of the element.
    expect_status(overit.patch([{"id": 340, "externalCode": "STORED"}], element=240), 200, "another element")
    overit.expect(overit.patch([{"id": 312, "externalCode": "STORED"}]), "OVERIT-MB-015")


@rule("OVERIT-MB-024")
def test_a_body_that_is_not_json_is_refused(overit: Overit) -> None:
    overit.expect(overit.send(b'[{"id": 311}]', "text/plain"), "OVERIT-MB-024")


@rule("OVERIT-MB-025")
@pytest.mark.parametrize("content", [b"\xff\xfe[{}]", b'[{"id": 311', b"[NaN]"], ids=["not-utf8", "truncated", "nan"])
def test_a_body_that_is_not_valid_json_is_refused(overit: Overit, content: bytes) -> None:
    overit.expect(overit.send(content, "application/json"), "OVERIT-MB-025")
