"""Each scenario fails against a mock broken for its rule, and the schema checks catch a mock that answers
in connexion's generic format: the suite's checks can fail."""

import pytest

from conformance.contracts import load_contracts
from conformance.runner import run
from conformance.settings import RunSettings
from conformance.verdicts import exit_code
from mockserver.app import build_app
from mockserver.settings import Settings
from tests.conformance import broken_energycap, broken_energycap_channels, broken_oracle, broken_overit, broken_tesma
from tests.live_server import serve

pytestmark = pytest.mark.slow


BREAKAGES = {
    "overit": broken_overit.BREAKAGES,
    "oracle": broken_oracle.BREAKAGES,
    "energycap": broken_energycap.BREAKAGES | broken_energycap_channels.BREAKAGES,
    "tesma": broken_tesma.BREAKAGES,
}
CASES = [(api, rule_id) for api, breakages in BREAKAGES.items() for rule_id in sorted(breakages)]


@pytest.mark.parametrize("api", sorted(BREAKAGES))
def test_every_rule_has_a_breakage(api):
    assert set(BREAKAGES[api]) == {rule.id for rule in load_contracts()[api].rules}


def test_every_api_with_rules_has_breakages():
    assert {api for api, contract in load_contracts().items() if contract.rules} == set(BREAKAGES)


@pytest.mark.parametrize(("api", "rule_id"), CASES, ids=[rule_id for _, rule_id in CASES])
def test_the_scenario_fails_against_a_mock_that_breaks_its_rule(monkeypatch, api, rule_id):
    transform = BREAKAGES[api][rule_id](monkeypatch)
    with serve(build_app(transform_spec=transform)) as base_url:
        outcome = run(RunSettings(base_url=base_url, apis=(api,), schema_checks=False, rule_ids=(rule_id,)))
    verdicts = {result.outcome for result in outcome.results if result.id == rule_id}
    assert verdicts, f"{rule_id} did not run"
    assert "failed" in verdicts, f"{rule_id} passed against a mock that breaks it"
    assert exit_code(outcome.verdicts) == 1


def test_the_same_scenarios_pass_against_the_intact_mock():
    with serve(build_app()) as base_url:
        outcome = run(RunSettings(base_url=base_url, apis=tuple(BREAKAGES), schema_checks=False))
    assert exit_code(outcome.verdicts) == 0, [r for r in outcome.results if r.outcome != "passed"]


def test_schema_checks_fail_against_a_mock_answering_in_connexions_generic_format(monkeypatch):
    from mockserver import error_routing

    monkeypatch.setattr(error_routing.ErrorRouter, "install", lambda self, app: None)
    with serve(build_app()) as base_url:
        outcome = run(RunSettings(base_url=base_url, apis=("overit",), scenarios=False, seed=7))
    failures = [result for result in outcome.results if result.kind == "schema" and result.outcome == "failed"]
    assert failures, outcome.results


def test_the_stateful_check_follows_links_to_what_was_created(monkeypatch):
    """Only the stateful run reaches readings created during the run: break those alone."""
    from mockserver.apis.oracle import handlers, repository

    created: set[int] = set()
    original_add, original_represent = repository.add, handlers.represent

    def add(connection, tenant, new):
        created.add(new.meter_reading_id)
        original_add(connection, tenant, new)

    def represent(reading, meter, href, **options):
        body = original_represent(reading, meter, href, **options)
        reading_back = "only_data" in options  # the GET item handler; POST and PATCH answers stay intact
        return {**body, "ReadingDate": "last tuesday"} if reading_back and reading.meter_reading_id in created else body

    monkeypatch.setattr(repository, "add", add)
    monkeypatch.setattr(handlers, "represent", represent)
    with serve(build_app(Settings(validate_responses=False))) as base_url:
        outcome = run(RunSettings(base_url=base_url, apis=("oracle",), scenarios=False, seed=5))
    verdicts = {result.id: result.outcome for result in outcome.results if result.kind == "schema"}
    assert verdicts["stateful"] == "failed", outcome.results
    assert verdicts["POST /meterReadings"] == verdicts["GET /meterReadings/{MeterReadingId}"] == "passed", verdicts
