"""JUnit XML rendered from the verdicts, so it agrees with the exit code: a WARN is a passing test (its
assumption and the target's answer as properties), a SKIP is skipped with its reason, only a FAIL is a
`<failure>`. Each test carries its rule id, source, expected status and code, and the evidence."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conformance.report import collapsed, summarize
from conformance.results import CheckResult
from conformance.score import ApiScore
from conformance.verdicts import Verdict

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: Any) -> str:
    """Text the target sent may hold characters XML 1.0 cannot carry: shown as \\xNN."""
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", str(text))


def _properties(parent: ET.Element, pairs: list[tuple[str, Any]]) -> None:
    element = ET.SubElement(parent, "properties")
    for name, value in pairs:
        if value not in ("", None):
            ET.SubElement(element, "property", name=name, value=_xml(value))


def render(results: list[CheckResult], run: dict[str, Any], scores: Sequence[ApiScore] = ()) -> str:
    rows = collapsed(results)
    counts = summarize(rows)
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites, "testsuite", name="conformance", tests=str(counts["total"]), failures=str(counts["failed"]),
        errors="0", skipped=str(counts["skipped"]), time=f"{run.get('duration', 0):.3f}",
        timestamp=str(run.get("started", "")),
    )  # fmt: skip
    pairs = [(key, value if isinstance(value, str | int | float) else json.dumps(value)) for key, value in run.items()]
    pairs += [(f"score {score.api}", json.dumps(score.as_dict())) for score in scores]
    _properties(suite, pairs)
    for row in rows:
        name = row.id if row.kind == "rule" else f"schema {row.id}"
        case = ET.SubElement(suite, "testcase", classname=f"conformance.{row.api or 'run'}", name=name,
                             time=f"{row.duration:.3f}")  # fmt: skip
        pairs: list[tuple[str, Any]] = [("verdict", row.outcome.value), ("source", row.source)]
        if row.kind == "rule":
            pairs.insert(0, ("rule", row.id))
            pairs.append(("expected", row.expected))
        if row.outcome == Verdict.WARN:
            pairs += [("assumed", row.assumed), ("target answered", row.answered)]
        pairs += [("evidence", exchange.get("curl", "")) for exchange in row.evidence]
        pairs += [("tenant", exchange["tenant"]) for exchange in row.evidence if exchange.get("tenant")]
        _properties(case, pairs)
        if row.outcome == Verdict.FAIL:
            failure = ET.SubElement(case, "failure", message=_xml(row.reason))
            failure.text = _xml(row.reason)
        elif row.outcome == Verdict.SKIP:
            ET.SubElement(case, "skipped", message=_xml(row.reason))
        out = [row.reason] if row.reason else []
        if row.outcome == Verdict.WARN:
            out = [f"WARN assumed: {row.assumed}; target answered: {row.answered}"]
        for exchange in row.evidence:
            out += [exchange["message"]] if exchange.get("message") else []
            out.append(exchange.get("curl", ""))
            response = exchange.get("response")
            if response:
                out.append(f"-> HTTP {response['status']} {response['body']}")
        if out:
            ET.SubElement(case, "system-out").text = _xml("\n".join(out))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def write_junit(results: list[CheckResult], run: dict[str, Any], path: Path, scores: Sequence[ApiScore]) -> None:
    path.write_text(render(results, run, scores))
