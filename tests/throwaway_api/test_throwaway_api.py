"""A fifth API from outside the package, through the seams alone: the mock serves it (`build_app(apis=...)`), the
admin API loads, snapshots and resets it, the journal masks its credential header (named only by its contract),
and `conformance run` checks it with its scenarios and schemathesis (`--contract`, `--scenarios`).

Each check is a function; `test_dropping_a_piece_fails_a_named_check` takes one piece away at a time and expects
the check that guards it to fail, so no piece is silently optional. README, "Adding an API", lists the pieces.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from conformance import cli
from conformance.contracts import load_contracts
from conformance.coverage import covered_rules
from mockserver.app import build_app
from mockserver.contracts import ContractError
from mockserver.settings import Settings
from mockserver.vendor_api import VendorApi
from tests.live_server import serve
from tests.throwaway_api.gauges import API, CONTRACT, rules
from tests.throwaway_api.gauges.handlers import GaugeHandlers

HERE = Path(__file__).parent
DATASET = HERE / "dataset.yaml"
SCENARIOS = HERE / "scenarios"
BASE = "/gauge-log/v1"
HEADER = "X-Client-Ident"  # no word in it says "credential": only the contract does


def fresh() -> str:
    return f"gauge-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class Pieces:
    api: VendorApi = API
    dataset: Path = DATASET
    scenarios: Path | None = SCENARIOS

    def client(self) -> TestClient:
        return TestClient(build_app(Settings(fixtures=self.dataset), apis=[self.api]))


# -- the checks ------------------------------------------------------------------------------------------------


def check_the_mock_serves_it(client: TestClient) -> None:
    tenant = {HEADER: fresh()}
    read = client.get(f"{BASE}/gauges/1", headers=tenant)
    assert (read.status_code, read.json()) == (200, {"gaugeId": 1, "lastReading": 10.5}), read.text
    added = client.post(f"{BASE}/gauges/1/readings", json={"value": 12}, headers=tenant)
    assert (added.status_code, added.json()["lastReading"]) == (201, 12), added.text
    backwards = client.post(f"{BASE}/gauges/1/readings", json={"value": 11}, headers=tenant)
    assert (backwards.status_code, backwards.json().get("code")) == (409, "READING_BACKWARDS"), backwards.text
    unknown = client.get(f"{BASE}/gauges/99", headers=tenant)
    assert (unknown.status_code, unknown.json().get("code")) == (404, "UNKNOWN_GAUGE"), unknown.text
    anonymous = client.get(f"{BASE}/gauges/1")
    assert (anonymous.status_code, anonymous.json().get("code")) == (401, "UNAUTHORIZED"), anonymous.text


def check_the_admin_api_loads_snapshots_and_resets_it(client: TestClient) -> None:
    tenant, copy = fresh(), fresh()
    section = {"gauges": [{"gaugeId": 5, "lastReading": 1.5}]}
    loaded = client.post("/__admin/fixtures", params={"tenant": tenant}, json={"gauge_log": section})
    assert loaded.status_code == 200, loaded.text
    assert client.post(f"{BASE}/gauges/5/readings", json={"value": 2}, headers={HEADER: tenant}).status_code == 201
    snapshot = client.get("/__admin/state", params={"tenant": tenant}).json()
    assert snapshot == {"gauge_log": {"gauges": [{"gaugeId": 5, "lastReading": 2.0}]}}
    assert client.post("/__admin/fixtures", params={"tenant": copy}, json=snapshot).status_code == 200
    assert client.get("/__admin/state", params={"tenant": copy}).json() == snapshot, "a snapshot loads back"
    assert client.post("/__admin/reset", params={"tenant": tenant}).status_code == 200
    assert client.get(f"{BASE}/gauges/5", headers={HEADER: tenant}).status_code == 404, "back to the dataset"


def check_the_journal_masks_its_credential(client: TestClient) -> None:
    tenant = fresh()
    client.delete("/__admin/requests")
    client.get(f"{BASE}/gauges/1", headers={HEADER: tenant})
    journal = client.get("/__admin/requests", params={"api": "gauge_log"})
    [entry] = journal.json()["requests"]
    assert entry["request"]["headers"]["x-client-ident"] == "***"
    assert tenant not in journal.text


def check_every_rule_has_a_scenario(scenarios: Path | None) -> None:
    documented = {rule.id for rule in load_contracts(CONTRACT)["gauge_log"].rules}
    covered = set(covered_rules([scenarios] if scenarios else []))
    assert documented <= covered, f"rules without a scenario: {sorted(documented - covered)}"


def check_the_rules_raise_what_the_contract_documents(api: VendorApi) -> None:
    documented = {rule.id: (rule.status, rule.code) for rule in load_contracts(CONTRACT)["gauge_log"].rules}
    assert api.outcomes == documented, f"outcomes {dict(api.outcomes)}, contract {documented}"


def conformance_run(pieces: Pieces, tmp_path: Path, *options: str) -> dict[str, dict[str, Any]]:
    """`conformance run` on the command line, told where the API's contract and scenarios are; its JSON report."""
    report = tmp_path / "report.json"
    scenarios = ["--scenarios", str(pieces.scenarios)] if pieces.scenarios else []
    with serve(build_app(Settings(fixtures=pieces.dataset), apis=[pieces.api])) as url:
        code = cli.main(["run", "--base-url", url, "--api", "gauge_log", "--contract", str(CONTRACT), *scenarios,
                         "--max-examples", "5", "--seed", "1", "--cache-dir", str(tmp_path / "cache"),
                         "--json", str(report), "--html", str(tmp_path / "report.html"), *options])  # fmt: skip
    results = {row["id"]: row for row in json.loads(report.read_text())["results"]}
    assert code in (0, 1), (code, results)
    return results


def check_the_suite_passes_it(pieces: Pieces, tmp_path: Path) -> dict[str, dict[str, Any]]:
    results = conformance_run(pieces, tmp_path)
    # Its contract has no OpenAPI links, so the stateful run has nothing to follow and says so.
    assert results.pop("stateful")["reason"] == "the contract has no OpenAPI links to follow"
    failed = {name: row["reason"] for name, row in results.items() if row["outcome"] != "passed"}
    assert not failed, failed
    assert set(results) == {
        "GAUGE-LOG-001",
        "GAUGE-LOG-002",
        "GET /gauges/{gaugeId}",
        "POST /gauges/{gaugeId}/readings",
    }
    return results


# -- the proof ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with Pieces().client() as client:
        yield client


def test_the_mock_serves_it(client):
    check_the_mock_serves_it(client)


def test_the_admin_api_loads_snapshots_and_resets_it(client):
    check_the_admin_api_loads_snapshots_and_resets_it(client)


def test_the_journal_masks_its_credential(client):
    check_the_journal_masks_its_credential(client)


def test_every_rule_has_a_scenario_filed_under_its_id():
    check_every_rule_has_a_scenario(SCENARIOS)


def test_the_rules_raise_what_the_contract_documents():
    check_the_rules_raise_what_the_contract_documents(API)


@pytest.mark.slow
def test_the_conformance_suite_passes_it_and_masks_its_credential_in_evidence(tmp_path):
    check_the_suite_passes_it(Pieces(), tmp_path)
    # Left without its backwards rule, the mock fails that rule's scenario, with the credential masked.
    results = conformance_run(Pieces(api=replace(API, make_handlers=_without_the_backwards_rule)), tmp_path,
                              "--no-schema-checks")  # fmt: skip
    broken = results["GAUGE-LOG-002"]
    assert broken["outcome"] == "failed", broken
    headers = [exchange["request"]["headers"] for exchange in broken["evidence"]]
    assert headers and all(h["x-client-ident"] == "***" for h in headers), headers


class _Forgiving:
    require_gauge = staticmethod(rules.require_gauge)

    @staticmethod
    def next_reading(last: float | None, value: float) -> float:
        return value


def _without_the_backwards_rule(runtime: Any) -> GaugeHandlers:
    return GaugeHandlers(runtime, rules=_Forgiving())


class _NoAddReading:
    def __init__(self, runtime: Any) -> None:
        self.get_gauge = GaugeHandlers(runtime).get_gauge


class _GenericErrors:
    """connexion's problem+json instead of the API's own format."""

    def rules_broken(self, error: Any) -> Any:
        return self.problem(error.status, str(error), error)

    def problem(self, status: int, detail: str, error: Exception | None) -> Any:
        from connexion.lifecycle import ConnexionResponse

        return ConnexionResponse(status_code=status, mimetype="application/problem+json", body=b'{"title": "x"}')


class _IgnoredSection:
    def credentials(self, section: dict[str, Any]) -> list[str]:
        return []

    def load(self, connection: Any, tenant: str, section: dict[str, Any]) -> None: ...

    def dump(self, connection: Any, tenant: str) -> dict[str, Any]:
        return {}


def _in_client(check: Callable[[TestClient], None]) -> Callable[[Pieces, Path], None]:
    def checked(pieces: Pieces, tmp_path: Path) -> None:
        with pieces.client() as client:
            check(client)

    return checked


EMPTY_DATASET_TEXT = "gauge_log: {}\n"
DROPPED: dict[str, tuple[Callable[[Path], Pieces], Callable[[Pieces, Path], Any], type[Exception], str]] = {
    "the contract": (lambda tmp: Pieces(api=replace(API, spec_file=tmp / "missing.yaml")),
                     _in_client(check_the_mock_serves_it), ContractError, "no contract at"),
    "a handler": (lambda tmp: Pieces(api=replace(API, make_handlers=_NoAddReading)),
                  _in_client(check_the_mock_serves_it), ContractError, "no handler for operationId add_reading"),
    "a rule": (lambda tmp: Pieces(api=replace(API, make_handlers=_without_the_backwards_rule)),
               _in_client(check_the_mock_serves_it), AssertionError, r"\(201, None\) == \(409"),
    "the rules' outcomes": (lambda tmp: Pieces(api=replace(API, outcomes={})),
                            lambda pieces, tmp: check_the_rules_raise_what_the_contract_documents(pieces.api),
                            AssertionError, "outcomes {}"),
    "the error format": (lambda tmp: Pieces(api=replace(API, errors=_GenericErrors())),
                         _in_client(check_the_mock_serves_it), AssertionError, r"\(409, None\) == \(409"),
    "the fixture section": (lambda tmp: Pieces(api=replace(API, fixtures=_IgnoredSection())),
                            _in_client(check_the_admin_api_loads_snapshots_and_resets_it), AssertionError,
                            "404 == 201"),
    "the dataset's section": (lambda tmp: Pieces(dataset=_written(tmp, EMPTY_DATASET_TEXT)),
                              _in_client(check_the_mock_serves_it), AssertionError, "No gauge 1"),
    "the scenario module": (lambda tmp: Pieces(scenarios=None),
                            lambda pieces, tmp: check_every_rule_has_a_scenario(pieces.scenarios),
                            AssertionError, "rules without a scenario"),
}  # fmt: skip


def _written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dataset.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("piece", sorted(DROPPED))
def test_dropping_a_piece_fails_a_named_check(piece, tmp_path):
    pieces_without, check, error, says = DROPPED[piece]
    with pytest.raises(error, match=says):
        check(pieces_without(tmp_path), tmp_path)
