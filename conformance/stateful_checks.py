"""Stateful checks: schemathesis walks the contract's OpenAPI links (create, then read or change what was
created), with the same checks as the schema checks on every step."""

from typing import Any

import hypothesis
import pytest

STEPS = 8


@pytest.mark.check("stateful")
def test_linked_operations_hold_together(
    linked_schema: Any, run_settings: Any, read_only: bool, bounded_session: Any, start_afresh: Any
) -> None:
    if read_only:
        pytest.skip("stateful checks create what they follow: run with --allow-writes to include them")
    has_links = any(
        response.get("links")
        for item in linked_schema.raw_schema.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict)
        for response in operation.get("responses", {}).values()
    )
    if not has_links:
        pytest.skip("the contract has no OpenAPI links to follow")

    class Workflow(linked_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            start_afresh()  # each example from the same state, on our mock

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"session": bounded_session}  # every step bounded as the schema checks are

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=max(5, run_settings.max_examples // 2),
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=run_settings.seed is not None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
    )
