"""Reports made from the verdicts: the terminal summary and a JSON document. They only render."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from conformance.results import CheckResult
from conformance.score import ApiScore
from conformance.verdicts import SEVERITY, Verdict


def summarize(results: list[CheckResult]) -> dict[str, int]:
    counts = Counter(result.outcome for result in results)
    return {**{verdict.value: counts[verdict] for verdict in Verdict}, "total": len(results)}


def skip_reasons(results: list[CheckResult]) -> list[tuple[str, int]]:
    """Why checks were skipped, most frequent first."""
    return Counter(result.reason for result in results if result.outcome == Verdict.SKIP).most_common()


def _collapsed(results: list[CheckResult]) -> list[CheckResult]:
    """One row per rule or operation: its worst verdict, with that verdict's reason."""
    rows: dict[tuple[str, str, str], CheckResult] = {}
    for result in results:
        key = (result.kind, result.api, result.id)
        current = rows.get(key)
        if current is None or SEVERITY.index(result.outcome) > SEVERITY.index(current.outcome):
            rows[key] = result
    return list(rows.values())


def collapsed(results: list[CheckResult]) -> list[CheckResult]:
    return sorted(_collapsed(results), key=lambda r: (r.kind != "rule", r.api, r.id))


def worst_first(results: list[CheckResult]) -> list[CheckResult]:
    return sorted(collapsed(results), key=lambda r: -SEVERITY.index(r.outcome))


def print_summary(results: list[CheckResult], scores: list[ApiScore], out: TextIO) -> None:
    """One summary: the rows that did not pass (worst first), the counts, why checks were skipped, the scores."""
    rows = collapsed(results)
    trouble = [row for row in worst_first(results) if row.outcome in (Verdict.FAIL, Verdict.WARN)]
    if trouble:
        out.write("\n")
    for row in trouble:
        name = row.id if row.kind == "rule" else f"schema:{row.api}:{row.id}"
        if row.outcome == Verdict.WARN:
            out.write(f"{row.outcome.mark}  {name}: assumed: {row.assumed}; target answered: {row.answered}\n")
        else:
            out.write(f"{row.outcome.mark}  {name}: {row.reason}\n")
    summary = summarize(rows)
    out.write(
        f"\n{summary['passed']} passed, {summary['failed']} failed, {summary['warned']} warned, "
        f"{summary['skipped']} skipped\n"
    )
    for reason, count in skip_reasons(rows):
        out.write(f"  skipped {count}: {reason}\n")
    for score in scores:
        out.write(
            f"  score {score.api}: {score.score:g}% ({score.verified} of {score.checkable} checkable documented "
            f"rules verified; {score.statuses_exercised} of {score.statuses_documented} documented statuses "
            f"exercised)\n"
        )
        if score.unverified:
            out.write(f"    unverified: {'; '.join(f'{count} {why}' for why, count in score.unverified.items())}\n")


def document(results: list[CheckResult], scores: list[ApiScore], run: dict[str, Any]) -> dict[str, Any]:
    rows = _collapsed(results)
    return {
        "run": run,
        "baseUrl": next(iter(run.get("targets", {}).values()), ""),
        "apis": run.get("apis", []),
        "summary": summarize(rows),
        "scores": [score.as_dict() for score in scores],
        "skipped": [{"reason": reason, "count": count} for reason, count in skip_reasons(rows)],
        "results": [row.as_dict() for row in rows],
        "checks": [result.as_dict() for result in results],
    }


def write_json(results: list[CheckResult], scores: list[ApiScore], run: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(document(results, scores, run), indent=2) + "\n")
