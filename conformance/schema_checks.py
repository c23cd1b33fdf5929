"""Schema-driven checks: schemathesis over each selected contract (examples, coverage and fuzzing phases)."""

import schemathesis

schema = schemathesis.pytest.from_fixture("contract_schema")


@schema.parametrize()
def test_operation_conforms_to_its_contract(case: schemathesis.Case) -> None:
    case.call_and_validate()
