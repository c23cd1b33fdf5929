"""Schema-driven checks: schemathesis over each selected contract (examples, coverage and fuzzing phases)."""

import schemathesis

from conformance.schema_findings import mark_case

schema = schemathesis.pytest.from_fixture("contract_schema")


@schema.parametrize()
def test_operation_conforms_to_its_contract(case: schemathesis.Case) -> None:
    try:
        case.call_and_validate()
    except (AssertionError, BaseExceptionGroup) as error:
        mark_case(error, case)  # so the finding can be replayed and judged against x-assumed keywords
        raise
