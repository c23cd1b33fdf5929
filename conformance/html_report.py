"""One self-contained HTML file a person opens from a CI artefact: the run's metadata, a bar per API, failures
first, filters by result and API, and for every WARN what we assumed and what the target answered."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from conformance.contracts import load_contracts
from conformance.report import collapsed, skip_reasons, summarize, worst_first
from conformance.results import CheckResult
from conformance.score import ApiScore
from conformance.verdicts import Verdict

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2530}h1{margin:0 0 .3rem}
.meta{color:#5a6573;margin-bottom:1rem}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
th,td{border-bottom:1px solid #e3e7ec;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f6f8}.PASS{color:#137333;font-weight:600}.FAIL{color:#b3261e;font-weight:600}
.WARN{color:#a15c00;font-weight:600}.SKIP{color:#5a6573;font-weight:600}
pre{white-space:pre-wrap;word-break:break-all;background:#f7f8fa;padding:.5rem;margin:.3rem 0;font-size:12px}
details summary{cursor:pointer;color:#0b57d0}.chips span{margin-right:1rem}
.bar{display:flex;height:12px;width:320px;border-radius:3px;overflow:hidden;background:#eee}
.bar i{display:block}.bar .PASS{background:#34a853}.bar .WARN{background:#f9ab00}.bar .FAIL{background:#d93025}
.bar .SKIP{background:#bdc1c6}.answered{background:#fff4e0;border-left:3px solid #f9ab00;padding:.3rem .5rem}
.filters{margin:1rem 0}.filters label{margin-right:.8rem}
"""
_SCRIPT = """
function applyFilters(){
  const results=[...document.querySelectorAll('.f-result:checked')].map(e=>e.value);
  const api=document.getElementById('f-api').value;
  document.querySelectorAll('tr.row').forEach(r=>{
    r.style.display=(results.includes(r.dataset.result)&&(!api||r.dataset.api===api))?'':'none';});
}
document.querySelectorAll('.filters input,.filters select').forEach(e=>e.addEventListener('change',applyFilters));
"""


def _evidence(result: CheckResult) -> str:
    if not result.evidence:
        return ""
    parts = []
    for exchange in result.evidence:
        tenant = f"<div>tenant on our mock: <code>{escape(exchange['tenant'])}</code></div>" if exchange.get(
            "tenant") else ""  # fmt: skip
        response = exchange.get("response")
        answer = ""
        if response:
            headers = "\n".join(f"{name}: {value}" for name, value in response["headers"].items())
            answer = f"<pre>HTTP {response['status']}\n{escape(headers)}\n\n{escape(response['body'])}</pre>"
        message = f"<pre>{escape(exchange['message'])}</pre>" if exchange.get("message") else ""
        parts.append(f"{tenant}{message}<pre>{escape(exchange.get('curl', ''))}</pre>{answer}")
    return f"<details><summary>evidence ({len(result.evidence)} exchange(s))</summary>{''.join(parts)}</details>"


def _bar(counts: dict[str, int]) -> str:
    total = max(counts["total"], 1)
    cells = "".join(
        f"<i class='{verdict.mark}' style='width:{100 * counts[verdict.value] / total:.1f}%' "
        f"title='{counts[verdict.value]} {verdict.value}'></i>"
        for verdict in (Verdict.PASS, Verdict.WARN, Verdict.FAIL, Verdict.SKIP)
    )
    return f"<div class='bar'>{cells}</div>"


def _why(row: CheckResult) -> str:
    if row.outcome == Verdict.WARN:
        return (f"<div class='answered'><b>assumed:</b> {escape(row.assumed)}<br><b>target answered:</b> "
                f"{escape(row.answered)}</div>")  # fmt: skip
    reason = escape(row.reason) if row.outcome != Verdict.PASS else ""
    if row.checks:
        held = ", ".join(name for name, result in row.checks.items() if result == "passed") or "none"
        broke = ", ".join(name for name, result in row.checks.items() if result == "failed") or "none"
        reason = f"<small>held: {escape(held)}<br>failed: {escape(broke)}</small><br>{reason}"
    return reason


def render(results: list[CheckResult], scores: list[ApiScore], run: dict[str, Any]) -> str:
    rules = {rule.id: rule for contract in load_contracts().values() for rule in contract.rules}
    rows = collapsed(results)
    summary = summarize(rows)
    apis = sorted({row.api or "-" for row in rows})
    overview = []
    for score in scores:
        counts = summarize([row for row in rows if row.api == score.api])
        unverified = "; ".join(f"{count} {why}" for why, count in score.unverified.items()) or "none"
        overview.append(
            f"<tr><td>{escape(score.api)}</td><td>{_bar(counts)}</td><td>{counts['passed']} / {counts['warned']} / "
            f"{counts['failed']} / {counts['skipped']}</td><td>{score.score:g}% ({score.verified} of "
            f"{score.checkable}); statuses {score.statuses_exercised} of {score.statuses_documented}</td>"
            f"<td><small>{escape(unverified)}</small></td></tr>"
        )
    body = []
    for row in worst_first(results):
        rule = rules.get(row.id) if row.kind == "rule" else None
        described = escape(rule.rule) if rule else "schema checks of this operation"
        name = row.id if row.kind == "rule" else f"schema: {row.id}"
        mark = row.outcome.mark
        body.append(
            f"<tr class='row' data-result='{mark}' data-api='{escape(row.api or '-')}'><td>{escape(row.api or '-')}"
            f"</td><td>{escape(name)}</td><td class='{mark}'>{mark}</td><td>{described}<br><small>expects "
            f"{escape(row.expected) or '-'} · source {escape(row.source)}</small></td><td>{_why(row)}{_evidence(row)}"
            f"</td></tr>"
        )
    skipped = "".join(f"<li>{count}: {escape(reason)}</li>" for reason, count in skip_reasons(rows))
    meta = "".join(
        f"<tr><th>{escape(key)}</th><td>{escape(value if isinstance(value, str) else repr(value))}</td></tr>"
        for key, value in run.items()
    )
    result_filters = "".join(
        f"<label><input type='checkbox' class='f-result' value='{verdict.mark}' checked> {verdict.mark}</label>"
        for verdict in (Verdict.FAIL, Verdict.WARN, Verdict.SKIP, Verdict.PASS)
    )
    api_options = "".join(f"<option>{escape(api)}</option>" for api in apis)
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Conformance report</title>"
        f"<style>{_STYLE}</style></head><body><h1>Conformance report</h1>"
        f"<div class='chips'><span>{summary['passed']} passed</span><span>{summary['failed']} failed</span>"
        f"<span>{summary['warned']} warned</span><span>{summary['skipped']} skipped</span></div>"
        f"<details class='meta'><summary>run</summary><table>{meta}</table></details>"
        f"<table><tr><th>API</th><th>pass / warn / fail / skip</th><th>counts</th><th>score</th>"
        f"<th>unverified</th></tr>{''.join(overview)}</table>"
        f"{'<h3>Skipped because</h3><ul>' + skipped + '</ul>' if skipped else ''}"
        f"<div class='filters'>{result_filters}<label>API <select id='f-api'><option value=''>all</option>"
        f"{api_options}</select></label></div>"
        f"<table><tr><th>API</th><th>check</th><th>result</th><th>rule</th><th>why / evidence</th></tr>"
        f"{''.join(body)}</table><script>{_SCRIPT}</script></body></html>"
    )


def write_html(results: list[CheckResult], scores: list[ApiScore], run: dict[str, Any], path: Path) -> None:
    path.write_text(render(results, scores, run))
