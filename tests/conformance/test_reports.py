"""The reports render the verdicts and nothing else: JUnit agrees with the exit code, HTML puts failures first and
shows what the target answered for every warning, progress speaks per check."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest

from conformance import cli
from conformance.contracts import load_contracts
from conformance.html_report import render as render_html
from conformance.junit_report import render as render_junit
from conformance.progress import RunProgress
from conformance.results import CheckResult
from conformance.score import scores
from conformance.verdicts import Verdict

RUN = {"version": "0.1.0", "seed": 7, "started": "2026-12-01T12:00:00+00:00", "duration": 1.5,
       "targets": {"tesma": "http://t"}, "apis": ["tesma"], "mode": "read-only", "max_examples": 5}  # fmt: skip
CURL = 'curl -X PATCH http://t/v1/leases/assets -H "X-API-KEY: $TESMA_CREDENTIAL"'
RESULTS = [
    CheckResult("rule", "TESMA-BP-001", "tesma", Verdict.PASS, source="vendor-excerpt", expected="202"),
    CheckResult("rule", "TESMA-BP-009", "tesma", Verdict.WARN, "expected 401 UNAUTHORIZED, got 401 NOPE",
                source="vendor-doc", expected="401 UNAUTHORIZED", assumed="code UNAUTHORIZED",
                answered="401 NOPE: PATCH /v1/leases/assets -> 401 {...}", evidence=[{"curl": CURL}]),
    CheckResult("rule", "TESMA-BP-010", "tesma", Verdict.FAIL, "expected 401 UNAUTHORIZED, got 400 \x1b[2J\x00",
                source="vendor-doc", expected="401 UNAUTHORIZED", evidence=[{"curl": CURL}]),
    CheckResult("rule", "TESMA-BP-012", "tesma", Verdict.SKIP, "writes to the target: run with --allow-writes"),
]  # fmt: skip


def test_junit_agrees_with_the_exit_code_and_carries_the_evidence():
    root = ET.fromstring(render_junit(RESULTS, RUN, scores(RESULTS, load_contracts(), ["tesma"])))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    warned, failed, skipped = cases["TESMA-BP-009"], cases["TESMA-BP-010"], cases["TESMA-BP-012"]
    assert warned.find("failure") is None and warned.find("skipped") is None
    properties = {p.get("name"): p.get("value") for p in warned.iter("property")}
    assert properties["assumed"] == "code UNAUTHORIZED" and properties["target answered"].startswith("401 NOPE")
    assert properties["evidence"] == CURL and properties["source"] == "vendor-doc"
    failure = failed.find("failure")
    assert failure is not None and failure.get("message", "").startswith("expected 401 UNAUTHORIZED, got 400")
    assert "\\x1b" in failure.get("message", ""), "a control character from the target is shown, not written raw"
    assert CURL in (failed.findtext("system-out") or "")
    skip = skipped.find("skipped")
    assert skip is not None and skip.get("message") == "writes to the target: run with --allow-writes"
    run_properties = {p.get("name"): p.get("value") for p in suite.find("properties") or []}
    assert run_properties["seed"] == "7" and run_properties["version"] == "0.1.0"
    assert '"score": 33.3' in run_properties["score tesma"], "one of three checkable documented rules passed"


def test_html_puts_failures_first_and_shows_what_the_target_answered():
    page = render_html(RESULTS, scores(RESULTS, load_contracts(), ["tesma"]), RUN)
    order = [page.index(f"<td>{rule}</td>") for rule in ("TESMA-BP-010", "TESMA-BP-009", "TESMA-BP-012",
                                                          "TESMA-BP-001")]  # fmt: skip
    assert order == sorted(order), "FAIL, then WARN, then SKIP, then PASS"
    assert "<b>target answered:</b> 401 NOPE" in page and "<b>assumed:</b> code UNAUTHORIZED" in page
    assert "class='f-result'" in page and "id='f-api'" in page and "class='bar'" in page
    assert "read-only" in page and "0.1.0" in page


def test_progress_lines_in_ci_logs_and_a_bar_on_a_terminal():
    log = io.StringIO()
    progress = RunProgress(log, live=False)
    progress.start(4)
    for result in RESULTS:
        progress.check(result)
    lines = log.getvalue().splitlines()
    assert lines[0] == "[1/4] TESMA-BP-001 PASS 0.0 s"
    assert "    assumed: code UNAUTHORIZED; target answered: 401 NOPE: PATCH /v1/leases/assets -> 401 {...}" in lines
    terminal = io.StringIO()
    live = RunProgress(terminal, live=True)
    live.start(4)
    for result in RESULTS:
        live.check(result)
    live.stop()
    shown = terminal.getvalue()
    assert "TESMA-BP-010 FAIL" in shown and "TESMA-BP-001 PASS" not in shown, "the bar stands for passing checks"


def test_help_shows_the_defaults(capsys):
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    out = capsys.readouterr().out
    assert "(default: 25)" in out and "(default: 10.0)" in out
