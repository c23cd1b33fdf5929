"""Each OverIT scenario fails against a mock broken for its rule, and the schema checks catch a mock that
answers in connexion's generic format: the suite's checks can fail."""

import pytest

from conformance.contracts import load_contracts
from conformance.runner import run
from conformance.settings import RunSettings
from mockserver.app import build_app
from tests.conformance.broken_overit import BREAKAGES
from tests.live_server import serve

pytestmark = pytest.mark.slow


def test_every_overit_rule_has_a_breakage():
    assert set(BREAKAGES) == {rule.id for rule in load_contracts()["overit"].rules}


@pytest.mark.parametrize("rule_id", sorted(BREAKAGES))
def test_the_scenario_fails_against_a_mock_that_breaks_its_rule(monkeypatch, rule_id):
    transform = BREAKAGES[rule_id](monkeypatch)
    with serve(build_app(transform_spec=transform)) as base_url:
        outcome = run(RunSettings(base_url=base_url, apis=("overit",), schema_checks=False, rule_ids=(rule_id,)))
    verdicts = {result.outcome for result in outcome.results if result.id == rule_id}
    assert verdicts, f"{rule_id} did not run"
    assert "failed" in verdicts, f"{rule_id} passed against a mock that breaks it"
    assert not outcome.passed


def test_the_same_scenarios_pass_against_the_intact_mock():
    with serve(build_app()) as base_url:
        outcome = run(RunSettings(base_url=base_url, apis=("overit",), schema_checks=False))
    assert outcome.passed, [r for r in outcome.results if r.outcome != "passed"]


def test_schema_checks_fail_against_a_mock_answering_in_connexions_generic_format(monkeypatch):
    from mockserver import error_routing

    monkeypatch.setattr(error_routing.ErrorRouter, "install", lambda self, app: None)
    with serve(build_app()) as base_url:
        outcome = run(RunSettings(base_url=base_url, apis=("overit",), scenarios=False, seed=7))
    failures = [result for result in outcome.results if result.kind == "schema" and result.outcome == "failed"]
    assert failures, outcome.results
