"""One record per check: what every report and the exit code are made from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from conformance.verdicts import Verdict


@dataclass(frozen=True)
class CheckResult:
    kind: Literal["rule", "schema"]
    id: str
    """The rule id, or for schema checks the operation (`PATCH /path`)."""
    api: str
    outcome: Verdict
    reason: str = ""
    """Why it did not pass: expected vs got, in full (never cut)."""
    test: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    """The requests sent and the answers received, credentials masked (failures and warnings only)."""
    checks: dict[str, str] = field(default_factory=dict)
    """Schema results: each schemathesis check that ran, passed or failed."""
    source: str = ""
    """The rule's source (vendor-excerpt, vendor-doc, assumption); `contract` for schema checks."""
    expected: str = ""
    """The rule's documented status and code."""
    assumed: str = ""
    """For a WARN: what we assumed ..."""
    answered: str = ""
    """... and what the target answered instead."""
    duration: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        document = asdict(self)
        document["outcome"] = str(self.outcome)
        return document
