"""The only place that knows the verdict policy: from what ran, the finding it raised, the rule and the target,
decide PASS, WARN, SKIP or FAIL; and from the verdicts, the run's exit code. Reports only render verdicts.

Against a real target, a difference only in what we assumed (a rule's `assumed` parts, a schema keyword marked
`x-assumed`, or a whole rule whose source is `assumption`) is a WARN saying what the target answered: it is how
users learn the vendor's real behaviour. The documented part (the request is refused or accepted) decides FAIL.
No valid answer at all (a 5xx, a timeout, a crash) is a FAIL whatever the rule's source. `--strict`, and our own
mock, keep every difference a FAIL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from conformance.contracts import Rule
from conformance.findings import Finding, NothingChecked, SchemaBroken, first_line


class Verdict(StrEnum):
    PASS = "passed"
    WARN = "warned"
    SKIP = "skipped"
    FAIL = "failed"

    @property
    def mark(self) -> str:
        return {"passed": "PASS", "warned": "WARN", "skipped": "SKIP", "failed": "FAIL"}[self.value]


SEVERITY = (Verdict.PASS, Verdict.SKIP, Verdict.WARN, Verdict.FAIL)
"""Worst last: a rule checked by several tests shows its worst verdict."""


@dataclass(frozen=True)
class TargetKind:
    """Whose target this is, asked once per run: ours (it answers /__admin, scenarios seed their own data)
    or a real implementation, and whether the run may write to it."""

    ours: bool
    writes_allowed: bool = False

    @property
    def read_only(self) -> bool:
        return not self.ours and not self.writes_allowed


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    assumed: str = ""
    """For a WARN: what we assumed (`status 400, code X`) ..."""
    answered: str = ""
    """... and what the target answered instead."""


def decide(
    ran: Literal["passed", "failed", "skipped"],
    finding: BaseException | None,
    rule: Rule | None,
    target: TargetKind,
    strict: bool,
) -> Decision:
    if ran == "skipped":
        return Decision(Verdict.SKIP)
    if ran == "passed":
        return Decision(Verdict.PASS)
    if target.ours or strict:
        return Decision(Verdict.FAIL)
    if type(finding) is AssertionError and rule is not None and rule.source == "assumption":
        # A scenario's own assertion on an answer it got: the whole rule is assumed, so it warns.
        return Decision(Verdict.WARN, _assumed_text(rule), first_line(str(finding)))
    if not isinstance(finding, Finding) or not finding.answered:
        return Decision(Verdict.FAIL)  # no valid answer (a 5xx, a timeout, a crash): nothing to soften
    if isinstance(finding, SchemaBroken):
        if finding.only_assumed:
            keywords = sorted({keyword for failure in finding.failures for keyword in failure.assumed})
            return Decision(Verdict.WARN, f"schema keywords {', '.join(keywords)}", finding.summary)
        return Decision(Verdict.FAIL)
    if rule is None:
        return Decision(Verdict.FAIL)
    if rule.source == "assumption" or finding.differs <= set(rule.assumed):
        return Decision(Verdict.WARN, _assumed_text(rule), finding.received)
    return Decision(Verdict.FAIL)


def _assumed_text(rule: Rule) -> str:
    parts = rule.assumed if rule.source != "assumption" else ("status", "code")
    shown = [f"status {rule.status}" if part == "status" else f"code {rule.code}" for part in parts if part in
             ("status", "code") and (part != "code" or rule.code)]  # fmt: skip
    return ", ".join(shown) or "the whole rule"


def worst(verdicts: Iterable[Verdict]) -> Verdict:
    return max(verdicts, key=SEVERITY.index, default=Verdict.SKIP)


def exit_code(verdicts: Iterable[Verdict], min_checks: int = 1) -> int:
    """0 when at least ``min_checks`` checks ran and none failed, 1 when one failed; a run that checked too
    little is not a verdict at all (NothingChecked, exit 2)."""
    verdicts = list(verdicts)
    if Verdict.FAIL in verdicts:
        return 1
    ran = sum(verdict in (Verdict.PASS, Verdict.WARN) for verdict in verdicts)
    if ran < max(min_checks, 1):
        raise NothingChecked(f"{ran} check(s) ran, at least {max(min_checks, 1)} required")
    return 0
