"""How schemathesis is configured for one contract on one target: checks, phases, rate, read-only limits."""

from __future__ import annotations

from typing import Any

import schemathesis

from conformance.contracts import Contract
from conformance.settings import RunSettings
from conformance.verdicts import TargetKind

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

# schemathesis' own default for positive_data_acceptance.
_POSITIVE_DEFAULT = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


def rule_statuses_accepted(contract: Contract) -> list[dict[str, Any]]:
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


def read_only(operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Against a real target without --allow-writes: write operations get only requests the contract says
    must be refused (negative data), never their documented examples."""
    return operations + [
        {"include-method": method, "generation": {"mode": "negative"}, "phases": {"examples": {"enabled": False}}}
        for method in _WRITE_METHODS
    ]


def schemathesis_config(contract: Contract, target: TargetKind, settings: RunSettings) -> schemathesis.Config:
    """schemathesis' own rate limit is not set: the run's bounded session limits every hop, redirects included."""
    checks: dict[str, Any] = {"enabled": False}
    checks.update({name: {"enabled": True} for name in SCHEMA_CHECKS})
    options: dict[str, Any] = {} if settings.seed is None else {"seed": settings.seed}
    options["operations"] = rule_statuses_accepted(contract)
    if target.read_only:
        options["operations"] = read_only(options["operations"])
    return schemathesis.Config.from_dict(
        {
            **options,
            "generation": {"max-examples": settings.max_examples, "mode": "all"},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                # Positive only: negative stateful runs against a stateful server are flaky to shrink.
                "stateful": {"enabled": not target.read_only, "generation": {"mode": "positive"}},
            },
            "checks": checks,
        }
    )
