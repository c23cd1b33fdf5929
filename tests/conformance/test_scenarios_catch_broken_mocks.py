"""Each scenario fails against a mock broken for its rule, and the schema checks catch a mock that answers
in connexion's generic format: the suite's checks can fail.

A broken mock is built from parts handed in (`breakages.py`), never by patching a module, and it runs beside
the real mock (`twin.py`): every request of the scenario goes to both, so the test also shows that the breakage
is not inert (the broken mock answers the rule's requests differently). One server per module and process serves
every breakage in turn; only the mock behind it changes.
"""

from __future__ import annotations

import ast
import gc
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conformance.contracts import Rule, load_contracts
from conformance.runner import run
from conformance.settings import RunSettings
from conformance.verdicts import TargetKind, exit_code
from mockserver.apis.oracle import repository as oracle_repository
from mockserver.apis.oracle import representation as oracle_representation
from mockserver.app import MockApp, build_app
from mockserver.settings import Settings
from tests.conformance import broken_energycap, broken_energycap_channels, broken_oracle, broken_overit, broken_tesma
from tests.conformance.breakages import Breakage, ConnexionProblems, errors, handed_in, part, real_api
from tests.conformance.twin import Exchange, Switchboard, Twin
from tests.conformance.untouched import changes, snapshot
from tests.live_server import serve

pytestmark = pytest.mark.slow

BREAKAGE_MODULES = (broken_energycap, broken_energycap_channels, broken_oracle, broken_overit, broken_tesma)
BREAKAGES = {
    "overit": broken_overit.BREAKAGES,
    "oracle": broken_oracle.BREAKAGES,
    "energycap": broken_energycap.BREAKAGES | broken_energycap_channels.BREAKAGES,
    "tesma": broken_tesma.BREAKAGES,
}
OURS = TargetKind(ours=True, writes_allowed=False)
# One nested run proves a batch of rules, each check aimed at the mock broken for its own rule: a run's fixed
# cost (about 0.25 s of pytest start-up) is paid per batch, and batches still spread over xdist's workers.
BATCH_SIZE = 6
BATCHES = [
    (api, tuple(rule_ids[start : start + BATCH_SIZE]))
    for api, breakages in BREAKAGES.items()
    for rule_ids in [sorted(breakages)]
    for start in range(0, len(rule_ids), BATCH_SIZE)
]


@pytest.fixture(scope="module")
def no_dataset(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Scenarios seed their own tenants, so the mocks need no dataset (and may serve one API alone)."""
    empty = tmp_path_factory.mktemp("fixtures") / "empty.yaml"
    empty.write_text("{}\n")
    return Settings(fixtures=empty)


@pytest.fixture(scope="module")
def switchboard() -> Iterator[tuple[Switchboard, str]]:
    board = Switchboard()
    # Each nested run ends in pytest's own gc.collect() passes, which would walk this whole process's heap.
    gc.freeze()
    try:
        with serve(board) as base_url:
            yield board, base_url
    finally:
        gc.unfreeze()


@pytest.fixture(scope="module")
def real_mock(no_dataset: Settings) -> Iterator[Callable[[str], MockApp]]:
    """The real mock of an API, one per module and process: each scenario seeds a fresh tenant of its own."""
    built: dict[str, MockApp] = {}

    def real(api: str) -> MockApp:
        if api not in built:
            built[api] = build_app(no_dataset, apis=[real_api(api)])
        return built[api]

    yield real
    for app in built.values():
        app.runtime.store.dispose()


def _sends(rule: Rule, exchanges: list[Exchange]) -> bool:
    """Whether the scenario sent the rule's operation."""
    template = re.escape(load_contracts()[rule.api].base_path + rule.path)
    operation = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", template) + r"(\?.*)?$")
    return any(exchange.method == rule.method and operation.match(exchange.path) for exchange in exchanges)


def _observed(exchanges: list[Exchange]) -> list[Exchange]:
    """What the scenario saw: every answer but those setting it up (its seeded tenant, the clock)."""
    return [e for e in exchanges if not e.path.startswith(("/__admin/fixtures", "/__admin/clock"))]


@pytest.mark.parametrize("api", sorted(BREAKAGES))
def test_every_rule_has_a_breakage(api):
    assert set(BREAKAGES[api]) == {rule.id for rule in load_contracts()[api].rules}


def test_every_api_with_rules_has_breakages():
    assert {api for api, contract in load_contracts().items() if contract.rules} == set(BREAKAGES)


class _AimEachCheck:
    """Plugs in, before each check of the nested run sets up, the twin of the rule that check proves."""

    def __init__(self, board: Switchboard, twins: dict[str, Twin]) -> None:
        self._board, self._twins = board, twins

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        [rule_id] = [mark.args[0] for mark in item.iter_markers("rule")]
        self._board.plug(self._twins[rule_id])

    @pytest.hookimpl(trylast=True)  # after the check's own fixtures are torn down, which may still send
    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        self._board.plug(None)


def _unproven(rule: Rule, twin: Twin, verdicts: set[str]) -> str | None:
    """Why the run does not show that the rule's breakage is caught, if it does not."""
    if not _sends(rule, twin.exchanges):
        return f"the scenario sent no {rule.method} {rule.path}"
    seen = _observed(twin.exchanges)
    if not any(exchange.differs for exchange in seen):
        return "the breakage is inert, the broken mock answered as the real one: " + "; ".join(map(str, seen))
    if not verdicts:
        return "its scenario did not run"
    if "failed" not in verdicts:
        return f"its scenario passed against a mock that breaks it ({sorted(verdicts)})"
    return None


@pytest.mark.parametrize(("api", "rule_ids"), BATCHES, ids=[f"{ids[0]}..{ids[-1]}" for _, ids in BATCHES])
def test_a_mock_broken_for_a_rule_answers_differently_and_fails_its_scenario(
    switchboard, real_mock, no_dataset, api, rule_ids
):
    """For each rule: its scenario runs against a mock broken for that rule alone (beside the real mock), sends
    the rule's operation, gets some answer the real mock would not give, and fails."""
    board, base_url = switchboard
    before = snapshot()
    broken = {rule_id: BREAKAGES[api][rule_id].build(no_dataset) for rule_id in rule_ids}
    twins = {rule_id: Twin(app, real_mock(api)) for rule_id, app in broken.items()}
    try:
        settings = RunSettings(base_url, (api,), schema_checks=False, rule_ids=rule_ids, target_kind=OURS)
        outcome = run(settings, plugins=[_AimEachCheck(board, twins)])
    finally:
        for app in broken.values():
            app.runtime.store.dispose()
    assert not changes(before), f"building or serving the broken mocks changed {changes(before)}"
    contract = load_contracts()[api]
    problems = {
        rule_id: why
        for rule_id in rule_ids
        if (
            why := _unproven(
                contract.rule(rule_id),
                twins[rule_id],
                {result.outcome for result in outcome.results if result.id == rule_id},
            )
        )
    }
    assert not problems, problems


@pytest.mark.parametrize("api", sorted(BREAKAGES))
def test_the_same_scenarios_pass_against_the_intact_mock_and_it_answers_as_the_real_one(
    switchboard, real_mock, no_dataset, api
):
    """A mock with no part replaced passes every scenario, and the twin finds no difference: what shows a
    breakage not inert is no artefact of running two mocks side by side."""
    board, base_url = switchboard
    intact = Breakage(api).build(no_dataset)
    try:
        with board.plugged(Twin(intact, real_mock(api))) as twin:
            outcome = run(RunSettings(base_url, (api,), schema_checks=False, target_kind=OURS))
    finally:
        intact.runtime.store.dispose()
    assert exit_code(outcome.verdicts) == 0, [r for r in outcome.results if r.outcome != "passed"]
    assert twin.exchanges
    assert not [str(e) for e in twin.exchanges if e.differs]


def test_no_breakage_patches_a_module():
    """Breakages are data (parts, spec changes); none may reach for pytest's monkeypatch or setattr, which would
    break the mock only while the handlers happen to look the patched name up where it was patched."""
    patching = {"monkeypatch", "setattr", "setitem", "delattr", "__dict__", "__globals__"}
    for module in (*BREAKAGE_MODULES, __import__("tests.conformance.breakages", fromlist=["_"])):
        tree = ast.parse(Path(module.__file__).read_text())
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        names |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        names |= {node.arg for node in ast.walk(tree) if isinstance(node, ast.arg)}
        assert not names & patching, f"{module.__name__} uses {sorted(names & patching)}"


def test_schema_checks_fail_against_a_mock_answering_in_connexions_generic_format():
    broken = errors("overit", ConnexionProblems())
    with serve(broken.build(with_others=True)) as base_url:
        outcome = run(RunSettings(base_url=base_url, apis=("overit",), scenarios=False, seed=7))
    failures = [result for result in outcome.results if result.kind == "schema" and result.outcome == "failed"]
    assert failures, outcome.results


def test_the_stateful_check_follows_links_to_what_was_created():
    """Only the stateful run reaches readings created during the run: break those alone."""
    created: set[int] = set()

    def add(connection, tenant, new):
        created.add(new.meter_reading_id)
        oracle_repository.add(connection, tenant, new)

    def represent(reading, meter, href, **options):
        body = oracle_representation.represent(reading, meter, href, **options)
        reading_back = "only_data" in options  # the GET item handler; POST and PATCH answers stay intact
        return {**body, "ReadingDate": "last tuesday"} if reading_back and reading.meter_reading_id in created else body

    broken = handed_in(
        "oracle",
        repository=part(oracle_repository, add=add),
        representation=part(oracle_representation, represent=represent),
    )
    with serve(broken.build(Settings(validate_responses=False), with_others=True)) as base_url:
        outcome = run(RunSettings(base_url=base_url, apis=("oracle",), scenarios=False, seed=5))
    verdicts = {result.id: result.outcome for result in outcome.results if result.kind == "schema"}
    assert verdicts["stateful"] == "failed", outcome.results
    assert verdicts["POST /meterReadings"] == verdicts["GET /meterReadings/{MeterReadingId}"] == "passed", verdicts
