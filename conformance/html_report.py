"""One self-contained HTML file a person opens from a CI artefact: per API, per rule, result and evidence."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from conformance.contracts import load_contracts
from conformance.report import collapsed, skip_reasons, summarize
from conformance.results import CheckResult

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2530}h1{margin:0 0 .3rem}
.meta{color:#5a6573;margin-bottom:1rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{border-bottom:1px solid #e3e7ec;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f8}.PASS{color:#137333;font-weight:600}.FAIL{color:#b3261e;font-weight:600}
.WARN{color:#a15c00;font-weight:600}.SKIP{color:#5a6573;font-weight:600}
pre{white-space:pre-wrap;word-break:break-all;background:#f7f8fa;padding:.5rem;margin:.3rem 0;font-size:12px}
details summary{cursor:pointer;color:#0b57d0}.chips span{margin-right:1rem}
"""
_MARK = {"passed": "PASS", "failed": "FAIL", "warned": "WARN", "skipped": "SKIP"}


def _evidence(result: CheckResult) -> str:
    if not result.evidence:
        return ""
    parts = []
    for exchange in result.evidence:
        response = exchange["response"]
        headers = "\n".join(f"{name}: {value}" for name, value in response["headers"].items())
        parts.append(
            f"<pre>{escape(exchange['curl'])}</pre><pre>HTTP {response['status']}\n{escape(headers)}\n\n"
            f"{escape(response['body'])}</pre>"
        )
    return f"<details><summary>evidence ({len(result.evidence)} exchange(s))</summary>{''.join(parts)}</details>"


def render(results: list[CheckResult], *, base_url: str, apis: list[str]) -> str:
    rules = {rule.id: rule for contract in load_contracts().values() for rule in contract.rules}
    rows = collapsed(results)
    summary = summarize(rows)
    by_api: dict[str, list[CheckResult]] = defaultdict(list)
    for row in rows:
        by_api[row.api or "-"].append(row)
    sections = []
    for api in sorted(by_api):
        body = []
        for row in by_api[api]:
            rule = rules.get(row.id)
            expected = f"{rule.status}{' ' + rule.code if rule.code else ''}" if rule else ""
            described = escape(rule.rule) if rule else "schema checks of this operation"
            source = escape(rule.source) if rule else "contract"
            name = row.id if row.kind == "rule" else f"schema: {row.id}"  # the API is the section
            reason = escape(row.reason) if row.outcome != "passed" else ""
            if row.checks:
                held = ", ".join(name for name, result in row.checks.items() if result == "passed") or "none"
                broke = ", ".join(name for name, result in row.checks.items() if result == "failed") or "none"
                reason = f"<small>held: {escape(held)}<br>failed: {escape(broke)}</small><br>{reason}"
            body.append(
                f"<tr><td>{escape(name)}</td><td class='{_MARK[row.outcome]}'>{_MARK[row.outcome]}</td>"
                f"<td>{described}<br><small>expects {escape(expected) or '-'} · source {source}</small></td>"
                f"<td>{reason}{_evidence(row)}</td></tr>"
            )
        counts = summarize(by_api[api])
        sections.append(
            f"<h2>{escape(api)}</h2><div class='chips'><span>{counts['passed']} passed</span>"
            f"<span>{counts['failed']} failed</span><span>{counts['warned']} warned</span>"
            f"<span>{counts['skipped']} skipped</span></div><table><tr><th>check</th><th>result</th>"
            f"<th>rule</th><th>why / evidence</th></tr>{''.join(body)}</table>"
        )
    skipped = "".join(f"<li>{count}: {escape(reason)}</li>" for reason, count in skip_reasons(rows))
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Conformance report</title>"
        f"<style>{_STYLE}</style></head><body><h1>Conformance report</h1>"
        f"<div class='meta'>{escape(base_url)} · {escape(', '.join(apis))} · {when}</div>"
        f"<div class='chips'><span>{summary['passed']} passed</span><span>{summary['failed']} failed</span>"
        f"<span>{summary['warned']} warned</span><span>{summary['skipped']} skipped</span></div>"
        f"{'<h3>Skipped because</h3><ul>' + skipped + '</ul>' if skipped else ''}{''.join(sections)}</body></html>"
    )


def write_html(results: list[CheckResult], path: Path, *, base_url: str, apis: list[str]) -> None:
    path.write_text(render(results, base_url=base_url, apis=apis))
