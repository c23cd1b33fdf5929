"""Business-rule outcomes shared by every API: plain data, rendered by each API's own `errors.py`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleViolation:
    """A documented rule (its `x-rules` id) that a request broke, with the vendor's status and code."""

    rule_id: str
    status: int
    code: str
    message: str
    index: int | None = None
    field: str | None = None


class RulesBroken(Exception):
    """Raised by rules with every violation found; the response status is the first one's."""

    def __init__(self, violations: list[RuleViolation]) -> None:
        if not violations:
            raise ValueError("RulesBroken needs at least one violation")
        self.violations = violations
        super().__init__("; ".join(v.message for v in violations))

    @property
    def status(self) -> int:
        return self.violations[0].status


class FixtureError(ValueError):
    """A fixture document that does not fit an API's fixture format."""
