"""The whole suite, run as `conformance run` runs it, against our mock on a real port: all green."""

import json

import pytest

from conformance.cli import main
from conformance.contracts import load_contracts
from mockserver.app import build_app
from tests.live_server import serve

pytestmark = pytest.mark.slow


def test_the_suite_passes_against_the_mock_and_writes_every_report(tmp_path, capsys):
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    with serve(build_app()) as base_url:
        exit_code = main(["run", "--base-url", base_url, "--junit", str(junit), "--json", str(report), "--seed", "1"])
    out = capsys.readouterr().out
    assert exit_code == 0, out
    document = json.loads(report.read_text())
    assert document["summary"]["failed"] == 0
    rule_rows = {row["id"] for row in document["results"] if row["kind"] == "rule"}
    assert rule_rows == {rule.id for contract in load_contracts().values() for rule in contract.rules}
    assert any(row["kind"] == "schema" and row["outcome"] == "passed" for row in document["results"])
    assert 'name="rule" value="OVERIT-MB-001"' in junit.read_text()
    assert "OVERIT-MB-025" in out


def test_an_unreachable_target_fails_the_run(capsys):
    exit_code = main(["run", "--base-url", "http://127.0.0.1:9", "--no-schema-checks", "--timeout", "1"])
    assert exit_code != 0


def test_an_unknown_rule_id_is_a_usage_error(capsys):
    assert main(["run", "--base-url", "http://127.0.0.1:9", "--rule", "NOPE-1"]) == 2
