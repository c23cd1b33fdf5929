"""Schema-driven checks: schemathesis over each selected contract (examples, coverage and fuzzing phases)."""

from typing import Any

import schemathesis

from conformance.schema_findings import mark_case

schema = schemathesis.pytest.from_fixture("contract_schema")


@schema.parametrize()
def test_operation_conforms_to_its_contract(case: schemathesis.Case, bounded_session: Any) -> None:
    try:
        case.call_and_validate(session=bounded_session.for_operation(case.operation.label))
    except (AssertionError, BaseExceptionGroup) as error:
        mark_case(error, case)  # so the finding can be replayed and judged against x-assumed keywords
        raise
