"""The pytest plugin behind `conformance run`: settings, target and contracts as fixtures; verdicts recorded.

The plugin only wires pytest to the parts that decide: `schema_config` (how schemathesis runs), `safety` (what
may not run here), `verdicts` (PASS, WARN, SKIP or FAIL). A WARN is reported to pytest as passed, so nothing
downstream of pytest can count it as a failure.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st

from asset_meter_specs.credential_headers import credential_headers
from conformance.bounded_http import BoundedAdapter, BoundedSession, RateLimit
from conformance.contracts import Contract, Rule, load_contracts
from conformance.evidence import Masker, Recorder
from conformance.findings import Finding, evidence_of
from conformance.masking import MaskingPlugin
from conformance.replay import ReplayLines
from conformance.results import CheckResult
from conformance.run_limits import RunLimits
from conformance.safety import skip_reason
from conformance.schema_config import SCHEMA_CHECKS, documented_bodies, schemathesis_config
from conformance.schema_findings import check_of, failures_in, schema_broken
from conformance.settings import RunSettings
from conformance.target import Target, auth_headers
from conformance.verdicts import Decision, Verdict, decide, worst

SCHEMA_TEST = "test_operation_conforms_to_its_contract"
EVIDENCE_EXCHANGES = 2


def rule_ids_of(item: pytest.Item) -> list[str]:
    return [mark.args[0] for mark in item.iter_markers("rule")]


def _api_of(item: pytest.Item) -> str:
    """A scenario module declares the API it checks (`API = "tesma"`); schema checks are parametrized by it."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "api_id" in callspec.params:
        return str(callspec.params["api_id"])
    return str(getattr(item.module, "API", "")) if item.module else ""


def _ran(report: pytest.TestReport) -> str:
    return "failed" if report.failed else "skipped" if report.skipped else "passed"


def _skip_text(report: pytest.TestReport) -> str:
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longrepr or "")


class ConformancePlugin:
    def __init__(self, settings: RunSettings, on_result: Any = None) -> None:
        if settings.target_kind is None:
            raise ValueError("the runner decides whose target this is before the plugin starts")
        self.settings = settings
        self.kind = settings.target_kind
        self._contracts = load_contracts(*settings.contract_files)
        self._rules: dict[str, Rule] = {rule.id: rule for c in self._contracts.values() for rule in c.rules}
        self.results: list[CheckResult] = []
        self.masker = Masker(credential_headers(contract.spec for contract in self._contracts.values()))
        for credential in settings.credentials.values():
            self.masker.add(credential)
        self.recorder = Recorder(self.masker)
        self.replay = ReplayLines(self._contracts, self.kind.ours, self.masker.text)
        self._target: Target | None = None
        self.limits = RunLimits(settings.budget)
        self._rate: RateLimit | None = None
        self._on_result = on_result
        self.collect_errors: list[str] = []
        self._fresh_tenants: dict[str, str] = {}
        """The tenant each API's stateful run made on our mock (by API id)."""
        self.planned = 0
        """How many checks the run will report (scenario tests, and one per operation for schema checks)."""

    @property
    def shared_target(self) -> Target:
        """The one Target of the run, its requests rate limited and recorded as evidence."""
        if self._target is None:
            self._target = Target(
                self.settings.base_url, self.settings.credentials, self.settings.timeout,
                base_urls=self.settings.base_urls, objects=self.settings.objects,
                hooks={"request": [self.rate.on_request],
                       "response": [self.recorder.on_response, self.replay.on_response]},
                limits=self.limits, ca_bundle=self.settings.ca_bundle,
            )  # fmt: skip
            self._target.has_admin = self.kind.ours  # asked once, by the command line
        return self._target

    @property
    def rate(self) -> RateLimit:
        """One rate limit for every request of the run, whichever client sends it."""
        if self._rate is None:
            self._rate = RateLimit(self.max_rps)
        return self._rate

    @property
    def max_rps(self) -> float | None:
        if self.settings.max_rps is not None:
            return self.settings.max_rps or None
        return None if self.kind.ours else RunSettings.REAL_TARGET_MAX_RPS

    # -- configuration and fixtures -------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "rule(rule_id): the x-rules entry a scenario checks")
        config.addinivalue_line("markers", "writes: the scenario changes the target's state when it passes")
        config.addinivalue_line("markers", "seeded: the scenario checks values of its own seeded data: our mock only")
        config.addinivalue_line("markers", "check(name): a named schema-level check, reported as its own row")
        config.pluginmanager.register(MaskingPlugin())

    @pytest.fixture(scope="session")
    def run_settings(self) -> RunSettings:
        return self.settings

    @pytest.fixture(scope="session")
    def read_only(self) -> bool:
        """A real target without --allow-writes: nothing may be sent that the contract lets change state."""
        return self.kind.read_only

    @pytest.fixture(scope="session")
    def target(self) -> Iterator[Target]:
        yield self.shared_target
        self.shared_target.close()

    @pytest.fixture(scope="session")
    def bounded_session(self) -> Iterator[BoundedSession]:
        """The requests session schemathesis sends through: every hop bounded, rate limited, budget checked."""
        adapter = BoundedAdapter(self.settings.timeout, self.limits, self.rate)
        with BoundedSession(adapter, self.settings.ca_bundle) as session:
            yield session

    @pytest.fixture(scope="session")
    def contracts(self) -> dict[str, Contract]:
        return self._contracts

    @pytest.fixture(scope="session")
    def contract_schema(self, api_id: str, target: Target) -> Any:
        """The contract of ``api_id`` as schemathesis sees it, aimed at the target's base path."""
        return self._schema(api_id, target)

    @pytest.fixture(scope="session")
    def linked_schema(self, api_id: str, target: Target) -> Any:
        """The same, for the stateful run: bodies are also drawn from the operation's documented examples,
        which name real objects as a user's requests do, so creations succeed and their links get followed."""
        schema = self._schema(api_id, target, stateful=True)
        examples = documented_bodies(self._contracts[api_id].spec)

        @schema.hook
        def before_generate_body(context: Any, strategy: Any) -> Any:
            bodies = examples.get(context.operation.definition.raw.get("operationId")) if context.operation else None
            return st.one_of(strategy, st.sampled_from(bodies)) if bodies else strategy

        return schema

    @pytest.fixture(scope="session")
    def start_afresh(self, api_id: str, target: Target, linked_schema: Any) -> Callable[[], None]:
        """Called before each example of the stateful run. On our mock, the run's own tenant is reset to the dataset
        it was seeded from, so that each example meets the same state: Hypothesis takes an example that meets a
        different state along a path it has walked before for inconsistent data generation. A real target's state
        is left alone."""
        tenant = self._fresh_tenants.get(api_id)
        if tenant is None:
            return lambda: None
        return lambda: target.reset(tenant)

    def _schema(self, api_id: str, target: Target, *, stateful: bool = False) -> Any:
        contract = self._contracts[api_id]
        credential = target.credential_for(api_id)
        if credential is None and self.kind.ours:
            credential = f"conformance-{uuid.uuid4().hex}"  # a fresh tenant on our mock, seeded from its dataset
            if stateful:
                self._fresh_tenants[api_id] = credential
        if credential is None:
            pytest.skip(f"no credential for {api_id}: pass --credential {api_id}=... or set the environment variable")
        config = schemathesis_config(contract, self.kind, self.settings)
        schema = schemathesis.openapi.from_path(contract.spec_path, config=config)
        schema.config.update(
            base_url=target.base_url_for(api_id) + contract.base_path,
            headers=auth_headers(contract, credential),
            request_timeout=self.settings.timeout,
            tls_verify=self.settings.ca_bundle or True,
        )
        return schema

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "api_id" in metafunc.fixturenames:
            metafunc.parametrize("api_id", list(self.settings.apis), scope="session")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:  # a scenario module that does not import: a FAIL of the suite, never silent
            self.collect_errors.append(f"{report.nodeid}: {report.longreprtext}")
            result = CheckResult("schema", report.nodeid, "", Verdict.FAIL, report.longreprtext, report.nodeid)
            self.results.append(result)
            if self._on_result is not None:
                self._on_result(result, "")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        wanted = set(self.settings.rule_ids)
        kept, dropped = [], []
        for item in items:
            ids = rule_ids_of(item)
            (kept if not wanted or wanted & set(ids) else dropped).append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
        self.planned = sum(self._planned(item) for item in items)

    def _planned(self, item: pytest.Item) -> int:
        if getattr(item, "originalname", "") != SCHEMA_TEST:
            return max(len(rule_ids_of(item)), 1)
        spec = self._contracts[_api_of(item)].spec
        return sum(1 for path in spec["paths"].values() for key in path if key in ("get", "put", "post", "patch",
                                                                                    "delete"))  # fmt: skip

    # -- safety ------------------------------------------------------------------------------------

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.recorder.clear()
        self.replay.clear()
        marks = {mark.name for mark in item.iter_markers()}
        self.limits.check()  # a used-up budget or an interrupt: reported as not run
        reason = skip_reason(marks, self.kind, self.settings.budget, time.monotonic() - self.limits.started)
        if reason:
            pytest.skip(reason)

    # -- verdicts ----------------------------------------------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
        outcome = yield
        report = outcome.get_result()
        api = _api_of(item)
        rules = rule_ids_of(item)
        error = call.excinfo.value if call.excinfo is not None and not report.skipped else None
        finding = error
        if error is not None and failures_in(error):  # schema and stateful checks raise schemathesis Failures
            contract = self._contracts.get(api)
            base_url = self.shared_target.base_url_for(api) + (contract.base_path if contract else "")
            try:
                finding = schema_broken(error, contract, base_url) or error
            except Exception:  # mapping the evidence must never hide the target's failure
                finding = error
            report.conformance_checks = self._check_outcomes(error)
        ran = _ran(report)
        decisions = {
            rule_id: decide(ran, finding, self._rules.get(rule_id), self.kind, self.settings.strict)
            for rule_id in rules or [""]
        }
        report.conformance_api = api
        report.conformance_rules = rules
        report.conformance_decisions = decisions
        check = item.get_closest_marker("check")
        report.conformance_check = check.args[0] if check else None
        if finding is not None:
            report.conformance_reason = self.masker.text(self._reason(finding))
            report.conformance_evidence = self._evidence(finding)
        # Only a test's call is flipped: a setup reported as passed would make pytest run the test body.
        if call.when == "call" and ran == "failed" and worst(d.verdict for d in decisions.values()) == Verdict.WARN:
            report.outcome = "passed"  # a warning is not a failure, for pytest and everything it feeds
            report.longrepr = None

    @staticmethod
    def _reason(finding: BaseException) -> str:
        if isinstance(finding, Finding):
            return finding.summary
        # A scenario's own assertion reads as what it says; anything else is named (a crash, a timeout).
        text = str(finding) if type(finding) is AssertionError else f"{type(finding).__name__}: {finding}"
        return text.replace("\n", " ").strip()

    def _evidence(self, finding: BaseException) -> list[dict[str, Any]]:
        from_finding = evidence_of(finding)
        if from_finding:
            return from_finding
        exchanges = self.recorder.last(EVIDENCE_EXCHANGES)
        lines = self.replay.last(len(exchanges))
        return [{**exchange, **line} for exchange, line in zip(exchanges, lines, strict=False)]

    @staticmethod
    def _check_outcomes(error: BaseException) -> dict[str, str]:
        """Per schemathesis check, whether it held for the operation, from the Failure objects it raised."""
        failures = failures_in(error)
        broken = {check_of(failure) for failure in failures}
        if not failures:
            return {name: "failed" for name in SCHEMA_CHECKS}  # it failed before any check could speak
        checks = {name: ("failed" if name in broken else "passed") for name in SCHEMA_CHECKS}
        checks.update({name: "failed" for name in broken})
        return checks

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        decisions: dict[str, Decision] = getattr(report, "conformance_decisions", {})
        if not decisions:
            return
        context = getattr(report, "context", None)
        api = getattr(report, "conformance_api", "")
        if context is not None:  # a schemathesis subtest: one API operation
            if report.when == "call":
                operation = report.nodeid.split("[")[-1].rstrip("]") if "[" in report.nodeid else str(context)
                self._record(report, "schema", operation, api, decisions[""])
            return
        if report.nodeid.split("::")[-1].startswith(SCHEMA_TEST):
            if report.when == "setup" and not report.passed:  # e.g. no credential for this API
                self._record(report, "schema", "every operation", api, decisions[""])
            elif report.when == "call" and report.failed:
                self._record(report, "schema", "schema checks", api, decisions[""])
            return
        check = getattr(report, "conformance_check", None)
        is_verdict = report.when == "call" or not report.passed
        if not is_verdict:
            return
        if check is not None:
            self._record(report, "schema", check, api, decisions[""])
            return
        for rule_id, decision in decisions.items():
            if rule_id:
                self._record(report, "rule", rule_id, api, decision)
            elif report.failed:  # a test outside any rule that broke: never let it vanish
                self._record(report, "schema", report.nodeid.split("::")[-1], api, decision)

    def _record(self, report: pytest.TestReport, kind: str, name: str, api: str, decision: Decision) -> None:
        verdict = decision.verdict
        if report.when == "teardown" and report.failed:
            verdict = Verdict.FAIL
        reason = getattr(report, "conformance_reason", "") if verdict != Verdict.SKIP else _skip_text(report)
        rule = self._rules.get(name) if kind == "rule" else None
        result = CheckResult(
            kind,  # type: ignore[arg-type]
            name,
            api,
            verdict,
            reason if verdict != Verdict.PASS else "",
            report.nodeid,
            getattr(report, "conformance_evidence", []) if verdict in (Verdict.FAIL, Verdict.WARN) else [],
            getattr(report, "conformance_checks", {}) if kind == "schema" else {},
            source=rule.source if rule else "contract",
            expected=f"{rule.status}{' ' + rule.code if rule.code else ''}" if rule else "",
            assumed=decision.assumed,
            answered=self.masker.text(decision.answered),
            duration=report.duration,
        )
        self.results.append(result)
        if self._on_result is not None:
            self._on_result(result, report.longreprtext if verdict == Verdict.FAIL else "")
