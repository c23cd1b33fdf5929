"""Reports made from the results: a terminal table and a JSON document (JUnit XML comes from pytest)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TextIO

from conformance.results import CheckResult

_MARK = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP", "warned": "WARN"}
RANK = {"failed": 3, "warned": 2, "skipped": 1, "passed": 0}


def summarize(results: list[CheckResult]) -> dict[str, int]:
    counts = Counter(result.outcome for result in results)
    return {
        "passed": counts["passed"], "failed": counts["failed"], "warned": counts["warned"],
        "skipped": counts["skipped"], "total": len(results),
    }  # fmt: skip


def skip_reasons(results: list[CheckResult]) -> list[tuple[str, int]]:
    """Why checks were skipped, most frequent first."""
    return Counter(result.reason for result in results if result.outcome == "skipped").most_common()


def _collapsed(results: list[CheckResult]) -> list[CheckResult]:
    """One row per rule or operation: failed beats warned beats skipped beats passed; the first reason kept."""
    rows: dict[tuple[str, str, str], CheckResult] = {}
    for result in results:
        key = (result.kind, result.api, result.id)
        current = rows.get(key)
        if current is None or RANK[result.outcome] > RANK[current.outcome]:
            rows[key] = result
    return list(rows.values())


def collapsed(results: list[CheckResult]) -> list[CheckResult]:
    return sorted(_collapsed(results), key=lambda r: (r.kind != "rule", r.api, r.id))


def _name(row: CheckResult) -> str:
    return row.id if row.kind == "rule" else f"schema:{row.api}:{row.id}"


def print_table(results: list[CheckResult], out: TextIO) -> None:
    rows = _collapsed(results)
    width = max([len(_name(row)) for row in rows] + [10])
    out.write(f"\n{'check':<{width}}  result  reason\n{'-' * width}  ------  ------\n")
    for row in sorted(rows, key=lambda r: (r.kind != "rule", r.api, r.id)):
        name = _name(row)
        reason = row.reason if row.outcome != "passed" else ""
        broken = [check for check, result in row.checks.items() if result == "failed"]
        if broken:
            reason = f"[{', '.join(broken)}] {reason}"
        out.write(f"{name:<{width}}  {_MARK[row.outcome]:<6}  {reason}\n")
    summary = summarize(rows)
    out.write(
        f"\n{summary['passed']} passed, {summary['failed']} failed, {summary['warned']} warned, "
        f"{summary['skipped']} skipped\n"
    )
    for reason, count in skip_reasons(rows):
        out.write(f"  skipped {count}: {reason}\n")


def write_json(results: list[CheckResult], path: Path, *, base_url: str, apis: list[str]) -> None:
    document = {
        "baseUrl": base_url,
        "apis": apis,
        "summary": summarize(_collapsed(results)),
        "skipped": [{"reason": reason, "count": count} for reason, count in skip_reasons(_collapsed(results))],
        "results": [row.as_dict() for row in _collapsed(results)],
        "checks": [result.as_dict() for result in results],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
