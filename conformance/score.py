"""A conformance score per API a pipeline can gate on: the share of documented rules (source other than
`assumption`) verified on this target out of those checkable here, and the operation x documented status
pairs the rule scenarios actually exercised; with what kept the rest unverified."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from conformance.contracts import Contract
from conformance.results import CheckResult
from conformance.verdicts import Verdict, worst


@dataclass
class ApiScore:
    api: str
    verified: int
    checkable: int
    documented: int
    statuses_exercised: int
    statuses_documented: int
    unverified: dict[str, int] = field(default_factory=dict)

    @property
    def score(self) -> float:
        """Percent of the checkable documented rules that passed; 0 when none was checkable here."""
        return round(100 * self.verified / self.checkable, 1) if self.checkable else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "score": self.score}


def _statuses(contract: Contract) -> set[tuple[str, str]]:
    return {
        (operation["operationId"], status)
        for item in contract.spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
        for status in operation.get("responses", {})
        if status != "default"
    }


def scores(results: list[CheckResult], contracts: dict[str, Contract], apis: list[str]) -> list[ApiScore]:
    by_rule: dict[str, list[Verdict]] = {}
    for result in results:
        if result.kind == "rule":
            by_rule.setdefault(result.id, []).append(result.outcome)
    reasons = {result.id: result.reason for result in results if result.kind == "rule"}
    scored = []
    for api in apis:
        contract = contracts[api]
        documented = [rule for rule in contract.rules if rule.source != "assumption" and rule.id in by_rule]
        verdicts = {rule.id: worst(by_rule[rule.id]) for rule in documented}
        unverified: Counter[str] = Counter()
        for rule in documented:
            verdict = verdicts[rule.id]
            if verdict == Verdict.SKIP:
                unverified[f"skipped: {reasons.get(rule.id, '')}"] += 1
            elif verdict == Verdict.WARN:
                unverified["warned: an assumed part differs"] += 1
            elif verdict == Verdict.FAIL:
                unverified["failed"] += 1
        exercised = {
            (rule.operation_id, str(rule.status))
            for rule in contract.rules
            if rule.id in by_rule and worst(by_rule[rule.id]) in (Verdict.PASS, Verdict.WARN)
        }
        documented_statuses = _statuses(contract)
        scored.append(
            ApiScore(
                api=api,
                verified=sum(verdict == Verdict.PASS for verdict in verdicts.values()),
                checkable=sum(verdict != Verdict.SKIP for verdict in verdicts.values()),
                documented=len(documented),
                statuses_exercised=len(exercised & documented_statuses),
                statuses_documented=len(documented_statuses),
                unverified=dict(unverified.most_common()),
            )
        )
    return scored
