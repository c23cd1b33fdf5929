"""Schema-check failures mapped from schemathesis' Failure objects: a refusal that rests only on constraints the
contract marks `x-assumed` warns on a real target; the failure replays with the credential as a variable.

The markings themselves land in the vendor contracts separately; here a contract is transformed in the test."""

from __future__ import annotations

import copy
import shlex
from dataclasses import replace
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from schemathesis.core.failures import AcceptedNegativeData, FailureGroup, ServerError
from schemathesis.openapi.checks import JsonSchemaError

from conformance.assumed_schema import assumed_keywords, every_assumed, without_assumed
from conformance.contracts import Contract, load_contracts
from conformance.schema_findings import mark_case, schema_broken
from conformance.verdicts import TargetKind, Verdict, decide

BATCH = "/accounts/{accountId}/measuring-elements/{measuringElementId}/measures/batch"
REAL = TargetKind(ours=False)


def _schema_with_note(spec: dict[str, Any]) -> str:
    return next(name for name, schema in spec["components"]["schemas"].items()
                if "note" in schema.get("properties", {}))  # fmt: skip


def note_marked(contract: Contract) -> Contract:
    spec = copy.deepcopy(contract.spec)
    properties = spec["components"]["schemas"][_schema_with_note(spec)]["properties"]
    properties["note"]["x-assumed"] = ["maxLength"]
    properties["externalCode"]["x-assumed"] = ["maxLength"]
    return replace(contract, spec=spec)


def unmarked(node: Any) -> Any:
    """The contract as if nothing were marked assumed: these tests add the markings they are about."""
    if isinstance(node, dict):
        return {key: unmarked(value) for key, value in node.items() if key != "x-assumed"}
    if isinstance(node, list):
        return [unmarked(item) for item in node]
    return node


@pytest.fixture(scope="module")
def overit() -> Contract:
    contract = load_contracts()["overit"]
    return replace(contract, spec=unmarked(contract.spec))


def accepted(contract: Contract, body: Any) -> FailureGroup:
    case = schemathesis.openapi.from_path(contract.spec_path)[BATCH]["PATCH"].Case(
        path_parameters={"accountId": 1001, "measuringElementId": 2101}, body=body
    )
    failure = AcceptedNegativeData(operation=f"PATCH {BATCH}", message="Invalid data should have been rejected",
                                   status_code=200, expected_statuses=["400"])  # fmt: skip
    group = FailureGroup([failure])
    mark_case(group, case)
    return group


def test_a_refusal_resting_only_on_an_assumed_bound_warns(overit):
    contract = note_marked(overit)
    found = schema_broken(accepted(contract, [{"id": 3101, "value": 1, "note": "x" * 4001}]), contract, "http://t")
    assert found is not None and found.only_assumed
    [failure] = found.failures
    assert failure.check == "negative_data_rejection" and failure.assumed == {"maxLength"}
    decision = decide("failed", found, None, REAL, strict=False)
    assert decision.verdict == Verdict.WARN and "maxLength" in decision.assumed
    assert decide("failed", found, None, REAL, strict=True).verdict == Verdict.FAIL


def test_without_the_marking_the_same_refusal_fails(overit):
    found = schema_broken(accepted(overit, [{"id": 3101, "value": 1, "note": "x" * 4001}]), overit, "http://t")
    assert found is not None and not found.only_assumed
    assert decide("failed", found, None, REAL, strict=False).verdict == Verdict.FAIL


def test_a_refusal_that_a_documented_keyword_also_demands_fails(overit):
    contract = note_marked(overit)
    body = [{"id": 0, "value": 1, "note": "x" * 4001}]  # ids are >= 1, which the vendor documents
    found = schema_broken(accepted(contract, body), contract, "http://t")
    assert found is not None and not found.only_assumed
    assert decide("failed", found, None, REAL, strict=False).verdict == Verdict.FAIL


def test_a_schema_failure_replays_with_the_credential_as_a_variable(overit):
    found = schema_broken(accepted(overit, [{"id": 3101, "value": 1}]), overit, "http://t/assets/r1")
    assert found is not None
    [failure] = found.failures
    words = shlex.split(failure.curl.replace('"$OVERIT_CREDENTIAL"', "CREDENTIAL-VARIABLE"))
    assert words[:4] == [
        "curl",
        "-X",
        "PATCH",
        "http://t/assets/r1/accounts/1001/measuring-elements/2101/measures/batch",
    ]
    assert '"Authorization: Bearer $OVERIT_CREDENTIAL"' in failure.curl
    assert '[{"id": 3101, "value": 1}]' in words


def test_a_server_error_is_no_answer_to_compare(overit):
    group = FailureGroup([ServerError(operation="PATCH /x", status_code=503)])
    found = schema_broken(group, overit, "http://t")
    assert found is not None and not found.answered
    assert decide("failed", found, None, REAL, strict=False).verdict == Verdict.FAIL


def test_a_crash_is_not_a_schema_finding(overit):
    assert schema_broken(KeyError("boom"), overit, "http://t") is None


def response_violation(schema: dict[str, Any], instance: Any) -> FailureGroup:
    try:
        jsonschema_rs.validate(schema, instance)
    except jsonschema_rs.ValidationError as exc:
        return FailureGroup([JsonSchemaError.from_exception(operation="GET /x", exc=exc, root_schema=schema)])
    raise AssertionError("the instance was valid")


def test_an_answer_breaking_only_an_assumed_response_bound_warns(overit):
    schema = {"type": "object", "properties": {"note": {"type": "string", "maxLength": 3, "x-assumed": ["maxLength"]}}}
    found = schema_broken(response_violation(schema, {"note": "longer"}), overit, "http://t")
    assert found is not None and found.only_assumed
    assert decide("failed", found, None, REAL, strict=False).verdict == Verdict.WARN
    documented = {"type": "object", "properties": {"note": {"type": "string", "x-assumed": ["maxLength"]}}}
    found = schema_broken(response_violation(documented, {"note": 5}), overit, "http://t")
    assert found is not None and not found.only_assumed, "a wrong type is documented"
    assert decide("failed", found, None, REAL, strict=False).verdict == Verdict.FAIL


@pytest.mark.parametrize("marking", ["maxLength", {"maxLength": True}, [1, None, ["maxLength"]], None, 42], ids=repr)
def test_a_malformed_marking_assumes_nothing(marking):
    assert assumed_keywords({"maxLength": 3, "x-assumed": marking}) == frozenset()
    assert without_assumed({"maxLength": 3, "x-assumed": marking})["maxLength"] == 3


def test_markings_are_found_through_references_without_looping(overit):
    spec = {
        "components": {
            "schemas": {
                "A": {"x-assumed": ["maximum"], "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"properties": {"a": {"$ref": "#/components/schemas/A"}}, "x-assumed": ["maxLength"]},
            }
        }
    }
    contract = replace(overit, spec=spec)
    assert every_assumed({"$ref": "#/components/schemas/A"}, contract.resolve) == {"maximum", "maxLength"}
