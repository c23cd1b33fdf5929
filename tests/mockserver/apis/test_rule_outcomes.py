"""Each API's rules state the status and code of a violation; the contract states them too. They must agree."""

import pytest

from conformance.contracts import load_contracts
from mockserver.apis.oracle import query
from mockserver.vendor_api import discover_apis

# Each API declares its table (`VendorApi.outcomes`); tests/test_every_api_is_listed.py holds every API to one.
OUTCOME_TABLES = {api.id: api.outcomes for api in discover_apis()}


@pytest.mark.parametrize("api", sorted(OUTCOME_TABLES))
def test_every_violation_the_rules_raise_is_the_one_the_contract_documents(api):
    documented = {rule.id: (rule.status, rule.code) for rule in load_contracts()[api].rules}
    for rule_id, outcome in OUTCOME_TABLES[api].items():
        assert documented.get(rule_id) == outcome, f"{rule_id}: rules say {outcome}, contract {documented.get(rule_id)}"


def test_query_refusals_use_the_documented_outcome():
    documented = {rule.id: (rule.status, rule.code) for rule in load_contracts()["oracle"].rules}
    for text, parse, rule_id in (
        (("Colour=red", query.parse_q, "ORA-MR-028")),
        ("Colour", query.parse_order_by, "ORA-MR-029"),
    ):
        with pytest.raises(Exception) as caught:
            parse(text)
        [violation] = caught.value.violations
        assert (violation.rule_id, (violation.status, violation.code)) == (rule_id, documented[rule_id])
