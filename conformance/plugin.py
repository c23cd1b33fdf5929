"""The pytest plugin behind `conformance run`: settings, target and contracts as fixtures; results recorded."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st

from conformance.contracts import Contract, load_contracts
from conformance.results import CheckResult
from conformance.settings import RunSettings
from conformance.target import Target, auth_headers

SCHEMA_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "ensure_resource_availability",  # stateful only: what a POST created is reachable through its link
)


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
    return (errors[0] if errors else (lines[-1] if lines else ""))[:300]


class ConformancePlugin:
    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings
        self._contracts = load_contracts()
        self.results: list[CheckResult] = []

    # -- configuration and fixtures -------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "rule(rule_id): the x-rules entry a scenario checks")
        config.addinivalue_line("markers", "check(name): a named schema-level check, reported as its own row")

    @pytest.fixture(scope="session")
    def run_settings(self) -> RunSettings:
        return self.settings

    @pytest.fixture(scope="session")
    def target(self) -> Iterator[Target]:
        target = Target(self.settings.base_url, self.settings.credentials, self.settings.timeout)
        yield target
        target.close()

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
        config = schemathesis.Config.from_dict(
            {
                **options,
                "generation": {"max-examples": self.settings.max_examples, "mode": "all"},
                "phases": {
                    "examples": {"enabled": True},
                    "coverage": {"enabled": True},
                    "fuzzing": {"enabled": True},
                    # Positive only: negative stateful runs against a stateful server are flaky to shrink.
                    "stateful": {"enabled": True, "generation": {"mode": "positive"}},
                },
                "checks": checks,
            }
        )
        schema = schemathesis.openapi.from_path(contract.spec_path, config=config)
        schema.config.update(
            base_url=target.base_url + contract.base_path,
            headers=auth_headers(contract, credential),
            request_timeout=self.settings.timeout,
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

    # -- recording ---------------------------------------------------------------------------------

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
        outcome = yield
        report = outcome.get_result()
        report.conformance_rules = rule_ids_of(item)
        check = item.get_closest_marker("check")
        report.conformance_check = check.args[0] if check else None
        report.conformance_api = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if call.excinfo is not None and not report.skipped:
            report.conformance_reason = call.excinfo.exconly().replace("\n", " ")[:300]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        context = getattr(report, "context", None)
        if context is not None:  # a schemathesis subtest: one API operation
            if report.when != "call":
                return
            # schemathesis names the subtest `<test>[<api>][<METHOD> <path>]`
            parts = [part.rstrip("]") for part in report.nodeid.split("[")[1:]]
            api, operation = parts[:2] if len(parts) >= 2 else ("", str(context))
            self.results.append(
                CheckResult("schema", operation, api, self._outcome(report), _reason(report), report.nodeid)
            )
            return
        check = getattr(report, "conformance_check", None)
        if check is not None:
            if report.when == "call" or (report.when == "setup" and (report.failed or report.skipped)):
                api = report.nodeid.rsplit("[", 1)[-1].rstrip("]") if "[" in report.nodeid else ""
                self.results.append(
                    CheckResult("schema", check, api, self._outcome(report), _reason(report), report.nodeid)
                )
            return
        rules = getattr(report, "conformance_rules", [])
        if not rules:
            if report.failed:  # e.g. a schema check that could not even start; never let it vanish
                self.results.append(
                    CheckResult("schema", report.nodeid.split("::")[-1], "", "failed", _reason(report), report.nodeid)
                )
            return
        if report.when == "call" or (report.when == "setup" and (report.failed or report.skipped)):
            for rule_id in rules:
                api = getattr(report, "conformance_api", "")
                self.results.append(
                    CheckResult("rule", rule_id, api, self._outcome(report), _reason(report), report.nodeid)
                )
        elif report.when == "teardown" and report.failed:
            for rule_id in rules:
                self.results.append(CheckResult("rule", rule_id, "", "failed", _reason(report), report.nodeid))

    @staticmethod
    def _outcome(report: pytest.TestReport) -> str:
        return "failed" if report.failed else "skipped" if report.skipped else "passed"
