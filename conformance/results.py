"""One record per check: what the terminal table, the JSON report and the exit code are made from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Outcome = Literal["passed", "failed", "skipped", "warned"]
"""warned: a rule whose source is an assumption failed against a real target (a failure with --strict)."""


@dataclass(frozen=True)
class CheckResult:
    kind: Literal["rule", "schema"]
    id: str
    """The rule id, or for schema checks the operation (`PATCH /path`)."""
    api: str
    outcome: Outcome
    reason: str = ""
    test: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    """The requests sent and the answers received, credentials masked (failures and warnings only)."""
    checks: dict[str, str] = field(default_factory=dict)
    """Schema results: each schemathesis check that ran, passed or failed."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
