"""Reports made from the results: a terminal table and a JSON document (JUnit XML comes from pytest)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TextIO

from conformance.results import CheckResult

_MARK = {"passed": "PASS", "failed": "FAIL", "skipped": "SKIP"}


def summarize(results: list[CheckResult]) -> dict[str, int]:
    counts = Counter(result.outcome for result in results)
    return {"passed": counts["passed"], "failed": counts["failed"], "skipped": counts["skipped"], "total": len(results)}


def _collapsed(results: list[CheckResult]) -> list[CheckResult]:
    """One row per rule or operation: failed beats skipped beats passed; the first reason kept."""
    rank = {"failed": 2, "skipped": 1, "passed": 0}
    rows: dict[tuple[str, str, str], CheckResult] = {}
    for result in results:
        key = (result.kind, result.api, result.id)
        current = rows.get(key)
        if current is None or rank[result.outcome] > rank[current.outcome]:
            rows[key] = result
    return list(rows.values())


def print_table(results: list[CheckResult], out: TextIO) -> None:
    rows = _collapsed(results)
    width = max([len(f"{row.kind}:{row.id}") for row in rows] + [10])
    out.write(f"\n{'check':<{width}}  result  reason\n{'-' * width}  ------  ------\n")
    for row in sorted(rows, key=lambda r: (r.kind != "rule", r.api, r.id)):
        name = row.id if row.kind == "rule" else f"schema:{row.id}"
        reason = row.reason if row.outcome != "passed" else ""
        out.write(f"{name:<{width}}  {_MARK[row.outcome]:<6}  {reason}\n")
    summary = summarize(rows)
    out.write(f"\n{summary['passed']} passed, {summary['failed']} failed, {summary['skipped']} skipped\n")


def write_json(results: list[CheckResult], path: Path, *, base_url: str, apis: list[str]) -> None:
    document = {
        "baseUrl": base_url,
        "apis": apis,
        "summary": summarize(_collapsed(results)),
        "results": [row.as_dict() for row in _collapsed(results)],
        "checks": [result.as_dict() for result in results],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
