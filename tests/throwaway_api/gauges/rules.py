"""The gauge log's two rules, pure."""

from __future__ import annotations

from mockserver.errors import RulesBroken, RuleViolation

OUTCOMES = {"GAUGE-LOG-001": (404, "UNKNOWN_GAUGE"), "GAUGE-LOG-002": (409, "READING_BACKWARDS")}


def _broken(rule_id: str, message: str) -> RulesBroken:
    status, code = OUTCOMES[rule_id]
    return RulesBroken([RuleViolation(rule_id, status, code, message)])


def require_gauge(gauge_id: int, found: bool) -> None:
    """GAUGE-LOG-001."""
    if not found:
        raise _broken("GAUGE-LOG-001", f"No gauge {gauge_id}")


def next_reading(last: float | None, value: float) -> float:
    """GAUGE-LOG-002: a gauge only goes up."""
    if last is not None and value < last:
        raise _broken("GAUGE-LOG-002", f"{value} is below the last reading {last}")
    return value
