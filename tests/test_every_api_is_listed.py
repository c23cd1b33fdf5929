"""Every table of APIs the tests keep names every API the mock discovers: a fifth API left out of one fails
here, by name, instead of being silently not checked."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from conformance.contracts import load_contracts
from mockserver.vendor_api import discover_apis
from tests.conformance.demo_objects import DEMO_OBJECTS
from tests.conformance.test_against_connexion_mock import SPECS as CONNEXION_MOCK_SPECS
from tests.hostile.conftest import ERROR_FORMATS
from tests.hostile.test_http_manners import CREDENTIALS as TWICE_SENT_CREDENTIALS
from tests.hostile.test_media_types import VENDOR_BODY_OPERATIONS
from tests.hostile.test_numbers import PATH_PARAMETER_OPERATIONS
from tests.hostile.test_property_based import SPECS as PROPERTY_SPECS
from tests.hostile.test_property_based import STRICT_CREDENTIALS
from tests.mockserver.apis.test_rule_outcomes import OUTCOME_TABLES

DISCOVERED = [api.id for api in discover_apis()]

LISTS: dict[str, Iterable[str]] = {
    "OUTCOME_TABLES (tests/mockserver/apis/test_rule_outcomes.py)": OUTCOME_TABLES,
    "SPECS (tests/conformance/test_against_connexion_mock.py)": CONNEXION_MOCK_SPECS,
    "DEMO_OBJECTS (tests/conformance/demo_objects.py)": DEMO_OBJECTS,
    "ERROR_FORMATS (tests/hostile/conftest.py)": ERROR_FORMATS,
    "CREDENTIALS (tests/hostile/test_http_manners.py)": TWICE_SENT_CREDENTIALS,
    "SPECS (tests/hostile/test_property_based.py)": PROPERTY_SPECS,
    "STRICT_CREDENTIALS (tests/hostile/test_property_based.py)": STRICT_CREDENTIALS,
}


def test_the_mock_and_the_suite_know_the_same_apis():
    assert sorted(load_contracts()) == DISCOVERED, "an API package without a contract, or a contract without one"


@pytest.mark.parametrize("api", DISCOVERED)
@pytest.mark.parametrize("name", sorted(LISTS))
def test_every_discovered_api_appears_in_every_list(name, api):
    assert api in set(LISTS[name]), f"{api} is missing from {name}"


def _operations(api: str) -> list[dict[str, Any]]:
    contract = load_contracts()[api]
    return [op for item in contract.spec["paths"].values() for op in item.values() if isinstance(op, dict)]


def _takes_a_body(api: str) -> bool:
    return any("requestBody" in operation for operation in _operations(api))


def _has_an_integer_path_parameter(api: str) -> bool:
    contract = load_contracts()[api]
    parameters = [contract.resolve(p) for item in contract.spec["paths"].values() for p in item.get("parameters", [])]
    parameters += [contract.resolve(p) for operation in _operations(api) for p in operation.get("parameters", [])]
    return any(p.get("in") == "path" and contract.resolve(p.get("schema", {})).get("type") == "integer"
               for p in parameters)  # fmt: skip


# Tables of operations, for the APIs that have such an operation.
OPERATION_TABLES: dict[str, tuple[Callable[[str], bool], Iterable[str]]] = {
    "VENDOR_BODY_OPERATIONS (tests/hostile/test_media_types.py)":
        (_takes_a_body, [row[0] for row in VENDOR_BODY_OPERATIONS]),
    "PATH_PARAMETER_OPERATIONS (tests/hostile/test_numbers.py)":
        (_has_an_integer_path_parameter, [row[0] for row in PATH_PARAMETER_OPERATIONS]),
}  # fmt: skip


@pytest.mark.parametrize("api", DISCOVERED)
@pytest.mark.parametrize("name", sorted(OPERATION_TABLES))
def test_every_api_with_such_an_operation_appears_in_its_table(name, api):
    applies, listed = OPERATION_TABLES[name]
    assert not applies(api) or api in set(listed), f"{api} is missing from {name}"


@pytest.mark.parametrize("api", discover_apis(), ids=lambda api: api.id)
def test_every_api_with_rule_violations_declares_their_outcomes(api):
    """`OUTCOME_TABLES` is built from the APIs' own declarations: an empty one would check nothing."""
    documented = {rule.code for rule in load_contracts()[api.id].rules if rule.status in (400, 409, 422)}
    assert not documented or api.outcomes, f"{api.id} documents rule violations but declares no outcomes"
