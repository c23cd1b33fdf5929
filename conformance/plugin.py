"""The pytest plugin behind `conformance run`: settings, target and contracts as fixtures; results recorded."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st

from conformance.bounded_http import BoundedAdapter, BoundedSession, RateLimit
from conformance.contracts import Contract, load_contracts
from conformance.evidence import Masker, Recorder
from conformance.masking import MaskingPlugin
from conformance.results import CheckResult
from conformance.run_limits import RunLimits
from conformance.settings import RunSettings
from conformance.target import Target, answers_admin, auth_headers

_WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

SCHEMA_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "ensure_resource_availability",  # stateful only: what a POST created is reachable through its link
)


# Which check a schemathesis failure code belongs to (`schemathesis explain` lists them).
FAILURE_CHECKS = {
    "ST101": "not_a_server_error", "ST102": "not_a_server_error", "ST103": "status_code_conformance",
    "ST104": "content_type_conformance", "ST105": "content_type_conformance", "ST106": "content_type_conformance",
    "ST108": "response_schema_conformance", "ST109": "response_schema_conformance",
    "ST110": "response_schema_conformance", "ST111": "response_schema_conformance",
    "ST201": "negative_data_rejection", "ST202": "positive_data_acceptance",
}  # fmt: skip
_FAILURE_CODE = re.compile(r"\bST\d{3}\b")


def check_outcomes(report_text: str, failed: bool) -> dict[str, str]:
    """Per schemathesis check, whether it held for the operation: read from the failure codes it reported."""
    codes = set(_FAILURE_CODE.findall(report_text)) if failed else set()
    broken = {FAILURE_CHECKS.get(code, f"other ({code})") for code in codes}
    checks = {name: ("failed" if name in broken else "passed") for name in SCHEMA_CHECKS}
    checks.update({name: "failed" for name in broken if name not in checks})
    if failed and not broken:
        checks = {name: "failed" for name in checks}  # the operation failed before any check could speak
    return checks


# schemathesis' own default for positive_data_acceptance.
_POSITIVE_DEFAULT = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


def _rule_statuses_accepted(contract: Contract) -> list[dict[str, Any]]:
    """A schema-valid request may still break a documented business rule: positive_data_acceptance also
    accepts, per operation, the statuses its x-rules entries answer with (and nothing else)."""
    statuses: dict[str, set[str]] = {}
    for rule in contract.rules:
        statuses.setdefault(rule.operation_id, set()).add(str(rule.status))
    return [
        {
            "include-operation-id": operation_id,
            "checks": {"positive_data_acceptance": {"expected-statuses": sorted(set(_POSITIVE_DEFAULT) | extra)}},
        }
        for operation_id, extra in sorted(statuses.items())
    ]


def documented_bodies(spec: dict[str, Any]) -> dict[str, list[Any]]:
    """operationId -> the request body examples the contract documents (every media type)."""
    bodies: dict[str, list[Any]] = {}
    for item in spec.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            for media in operation.get("requestBody", {}).get("content", {}).values():
                found = [example["value"] for example in media.get("examples", {}).values() if "value" in example]
                found += [media["example"]] if "example" in media else []
                bodies.setdefault(operation["operationId"], []).extend(found)
    return {operation_id: found for operation_id, found in bodies.items() if found}


def rule_ids_of(item: pytest.Item) -> list[str]:
    return [mark.args[0] for mark in item.iter_markers("rule")]


def _reason(report: pytest.TestReport) -> str:
    reason = getattr(report, "conformance_reason", "")
    if reason:
        return reason
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    text = report.longreprtext or ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line[1:].strip() for line in lines if line.startswith("E ")]
    return errors[0] if errors else (lines[-1] if lines else "")


def _read_only(operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Against a real target without --allow-writes: write operations get only requests the contract says
    must be refused (negative data), never their documented examples."""
    return operations + [
        {"include-method": method, "generation": {"mode": "negative"}, "phases": {"examples": {"enabled": False}}}
        for method in _WRITE_METHODS
    ]


class ConformancePlugin:
    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings
        self._contracts = load_contracts()
        self.results: list[CheckResult] = []
        self.masker = Masker()
        for credential in settings.credentials.values():
            self.masker.add(credential)
        self.recorder = Recorder(self.masker)
        self._target: Target | None = None
        self._real: bool | None = None
        self.limits = RunLimits(settings.budget)
        self._rate: RateLimit | None = None
        self._sources = {rule.id: rule.source for contract in self._contracts.values() for rule in contract.rules}

    @property
    def shared_target(self) -> Target:
        """The one Target of the run, its requests rate limited and recorded as evidence."""
        if self._target is None:
            self._target = Target(
                self.settings.base_url, self.settings.credentials, self.settings.timeout,
                base_urls=self.settings.base_urls, objects=self.settings.objects,
                hooks={"request": [self.rate.on_request], "response": [self.recorder.on_response]},
                limits=self.limits, ca_bundle=self.settings.ca_bundle,
            )  # fmt: skip
        return self._target

    @property
    def real_target(self) -> bool:
        """Not a mock of ours: no /__admin, so nothing can be seeded and every write is for real."""
        if self._real is None:
            settings = self.settings
            self._real = not answers_admin(settings.base_url, settings.timeout, ca_bundle=settings.ca_bundle)
        return self._real

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
        return RunSettings.REAL_TARGET_MAX_RPS if self.real_target else None

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
        return self.real_target and not self.settings.allow_writes

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
        schema = self._schema(api_id, target)
        examples = documented_bodies(self._contracts[api_id].spec)

        @schema.hook
        def before_generate_body(context: Any, strategy: Any) -> Any:
            bodies = examples.get(context.operation.definition.raw.get("operationId")) if context.operation else None
            return st.one_of(strategy, st.sampled_from(bodies)) if bodies else strategy

        return schema

    def _schema(self, api_id: str, target: Target) -> Any:
        contract = self._contracts[api_id]
        credential = target.credential_for(api_id)
        if credential is None and target.has_admin:
            credential = f"conformance-{uuid.uuid4().hex}"  # a fresh tenant on our mock, seeded from its dataset
        if credential is None:
            pytest.skip(f"no credential for {api_id}: pass --credential {api_id}=... or set the environment variable")
        checks: dict[str, Any] = {"enabled": False}
        checks.update({name: {"enabled": True} for name in SCHEMA_CHECKS})
        options: dict[str, Any] = {} if self.settings.seed is None else {"seed": self.settings.seed}
        options["operations"] = _rule_statuses_accepted(contract)
        read_only = self.real_target and not self.settings.allow_writes
        if read_only:
            options["operations"] = _read_only(options["operations"])
        config = schemathesis.Config.from_dict(
            {
                **options,
                "generation": {"max-examples": self.settings.max_examples, "mode": "all"},
                "phases": {
                    "examples": {"enabled": True},
                    "coverage": {"enabled": True},
                    "fuzzing": {"enabled": True},
                    # Positive only: negative stateful runs against a stateful server are flaky to shrink.
                    "stateful": {"enabled": not read_only, "generation": {"mode": "positive"}},
                },
                "checks": checks,
            }
        )
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

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        wanted = set(self.settings.rule_ids)
        kept, dropped = [], []
        for item in items:
            ids = rule_ids_of(item)
            for rule_id in ids:
                item.user_properties.append(("rule", rule_id))
            (kept if not wanted or wanted & set(ids) else dropped).append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept

    # -- safety ------------------------------------------------------------------------------------

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.recorder.clear()
        self.limits.check()
        if item.get_closest_marker("seeded") and self.real_target:
            pytest.skip("checks exact values of its own seeded data: runs against our mock only")
        if item.get_closest_marker("writes") and self.real_target and not self.settings.allow_writes:
            pytest.skip("writes to the target: run with --allow-writes to include it")

    # -- recording ---------------------------------------------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
        outcome = yield
        report = outcome.get_result()
        report.conformance_rules = rule_ids_of(item)
        check = item.get_closest_marker("check")
        report.conformance_check = check.args[0] if check else None
        # Scenario modules are named `<api>` or `<api>_<topic>`.
        report.conformance_api = item.module.__name__.rsplit(".", 1)[-1].split("_", 1)[0] if item.module else ""
        if call.excinfo is not None and not report.skipped:
            report.conformance_reason = self.masker.text(call.excinfo.exconly().replace("\n", " "))[:300]
        if report.failed:
            report.conformance_evidence = self.recorder.last()
            for exchange in report.conformance_evidence:
                report.user_properties.append(("evidence", exchange["curl"]))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        context = getattr(report, "context", None)
        if context is not None:  # a schemathesis subtest: one API operation
            if report.when != "call":
                return
            # schemathesis names the subtest `<test>[<api>][<METHOD> <path>]`
            parts = [part.rstrip("]") for part in report.nodeid.split("[")[1:]]
            api, operation = parts[:2] if len(parts) >= 2 else ("", str(context))
            outcome = self._outcome(report)
            checks = check_outcomes(report.longreprtext or "", outcome == "failed") if outcome != "skipped" else {}
            self.results.append(
                CheckResult("schema", operation, api, outcome, self._reason(report), report.nodeid, checks=checks)
            )
            return
        check = getattr(report, "conformance_check", None)
        if check is not None:
            if report.when == "call" or (report.when == "setup" and (report.failed or report.skipped)):
                api = report.nodeid.rsplit("[", 1)[-1].rstrip("]") if "[" in report.nodeid else ""
                self.results.append(
                    CheckResult("schema", check, api, self._outcome(report), self._reason(report), report.nodeid)
                )
            return
        rules = getattr(report, "conformance_rules", [])
        if not rules:
            if report.failed:  # e.g. a schema check that could not even start; never let it vanish
                self.results.append(
                    CheckResult(
                        "schema", report.nodeid.split("::")[-1], "", "failed", self._reason(report), report.nodeid
                    )
                )
            return
        if report.when == "call" or (report.when == "setup" and (report.failed or report.skipped)):
            for rule_id in rules:
                api = getattr(report, "conformance_api", "")
                outcome = self._outcome(report)
                if outcome == "failed" and self._warn_only(rule_id):
                    outcome = "warned"
                evidence = getattr(report, "conformance_evidence", [])
                self.results.append(
                    CheckResult("rule", rule_id, api, outcome, self._reason(report), report.nodeid, evidence)
                )
        elif report.when == "teardown" and report.failed:
            for rule_id in rules:
                self.results.append(CheckResult("rule", rule_id, "", "failed", self._reason(report), report.nodeid))

    def _reason(self, report: pytest.TestReport) -> str:
        return self.masker.text(_reason(report))[:300]

    def _warn_only(self, rule_id: str) -> bool:
        """A failed rule that rests on an assumption is a warning against a real target, unless --strict."""
        return self.real_target and not self.settings.strict and self._sources.get(rule_id) == "assumption"

    @staticmethod
    def _outcome(report: pytest.TestReport) -> str:
        return "failed" if report.failed else "skipped" if report.skipped else "passed"
