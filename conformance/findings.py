"""What a check can raise, in two families that never mix.

A `Finding` is about the target: it broke the contract, and says which part of the answer differs. A
`SuiteError` is about us or our input (bad options, nothing to check): the run cannot give a verdict and
exits 2. Verdicts are decided from these typed findings (`verdicts.decide`), never from rendered text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

OUTCOME = "outcome"
"""The documented part of every rule: the request is accepted or refused (the status class)."""


class Finding(AssertionError):
    """The target broke the contract."""

    answered = True
    """Whether the target gave a valid answer to compare (a status below 500, read whole)."""
    differs: frozenset[str] = frozenset({OUTCOME})
    expected = ""
    received = ""

    @property
    def summary(self) -> str:
        return f"expected {self.expected}, got {self.received}" if self.expected else str(self)


class ContractBroken(Finding):
    """A rule scenario's expectation does not hold: which parts differ (`status`, `code`, `media type`, or
    `outcome` when even the status class is wrong), what was expected and what the target answered."""

    def __init__(
        self, rule_id: str | None, expected: str, received: str, differs: set[str], *, answered: bool = True
    ) -> None:
        self.rule_id = rule_id
        self.expected = expected
        self.received = received
        self.differs = frozenset(differs)
        self.answered = answered
        prefix = f"{rule_id}: " if rule_id else ""
        super().__init__(f"{prefix}expected {expected}, got {received}")


@dataclass
class SchemaFailure:
    """One schemathesis check that failed on one request, mapped from its Failure object."""

    check: str
    title: str
    message: str
    rests_on: frozenset[str] = frozenset()
    """The schema keywords the failure rests on, when it can be told (a response or request constraint)."""
    assumed: frozenset[str] = frozenset()
    """Of those, the ones the contract marks `x-assumed` (the vendor never published them)."""
    curl: str = ""
    status: int | None = None

    @property
    def only_assumed(self) -> bool:
        return bool(self.rests_on) and self.rests_on <= self.assumed


@dataclass
class SchemaBroken(Finding):
    """Schema checks failed on an operation: every failure, with what it rests on and how to replay it."""

    failures: list[SchemaFailure] = field(default_factory=list)

    def __post_init__(self) -> None:
        AssertionError.__init__(self, self.text)
        self.answered = all(failure.status is None or failure.status < 500 for failure in self.failures)

    @property
    def text(self) -> str:
        lines = [f"[{f.check}] {f.title}: {first_line(f.message)}" for f in self.failures]
        return "; ".join(dict.fromkeys(lines))  # the same failure on several examples is said once

    @property
    def summary(self) -> str:
        return self.text

    @property
    def only_assumed(self) -> bool:
        return bool(self.failures) and all(failure.only_assumed for failure in self.failures)


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


class SuiteError(Exception):
    """The run cannot proceed or cannot give a verdict: bad options or input, nothing checked (exit 2)."""


class UsageError(SuiteError):
    """An option or argument the run cannot use."""


class NothingChecked(SuiteError):
    """Every check was skipped (or too few ran): a run that checked nothing must never look green."""


def evidence_of(error: BaseException) -> list[dict[str, Any]]:
    """Replay lines a finding carries (schema checks); scenarios' evidence comes from the recorder."""
    if isinstance(error, SchemaBroken):
        return [
            {"check": failure.check, "curl": failure.curl, "message": f"{failure.title}\n\n{failure.message}"}
            for failure in error.failures
        ]
    return []
