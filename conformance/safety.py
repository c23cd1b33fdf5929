"""Which checks may not run on this target, and why: a pure policy, testable without pytest."""

from __future__ import annotations

from collections.abc import Collection

from conformance.verdicts import TargetKind


def skip_reason(marks: Collection[str], target: TargetKind, budget: float | None, elapsed: float) -> str | None:
    """Why a check carrying ``marks`` must be skipped, or None when it may run."""
    if budget is not None and elapsed > budget:
        return f"time budget of {budget:g} s used up before this check started"
    if "seeded" in marks and not target.ours:
        return "checks exact values of its own seeded data: runs against our mock only"
    if "writes" in marks and target.read_only:
        return "writes to the target: run with --allow-writes to include it"
    return None
