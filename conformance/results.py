"""One record per check: what the terminal table, the JSON report and the exit code are made from."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Outcome = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class CheckResult:
    kind: Literal["rule", "schema"]
    id: str
    """The rule id, or for schema checks the operation (`PATCH /path`)."""
    api: str
    outcome: Outcome
    reason: str = ""
    test: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)
