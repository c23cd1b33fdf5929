"""The contracts as the suite reads them: each vendor spec, its base path and its documented rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

import asset_meter_specs
from conformance.findings import SuiteError

_METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class Rule:
    id: str
    rule: str
    status: int
    source: str
    api: str
    operation_id: str
    method: str
    path: str
    code: str | None = None
    assumed: tuple[str, ...] = ()
    request_keywords: tuple[str, ...] = ()
    """What in a request shows that this rule applies (`requestKeywords`): a JSON Schema keyword the request
    body or a parameter fails, `json` (a body that does not parse), `mediaType` (a content type the operation
    does not take) or `credential` (no credential of the operation's security scheme). The validation proxy
    reads it to expect the rule's status and code."""

    @property
    def wholly_assumed(self) -> bool:
        """The vendor is silent on the rule itself (source `assumption`), or the rule is our reading of its text
        (`behaviour` assumed): any answer of the target may differ from it without breaking what is documented."""
        return self.source == "assumption" or "behaviour" in self.assumed


@dataclass(frozen=True)
class Contract:
    api: str
    spec_path: Path
    spec: dict[str, Any] = field(repr=False, compare=False)
    base_path: str
    rules: tuple[Rule, ...]

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(f"{self.api} has no rule {rule_id}")

    @property
    def security_schemes(self) -> dict[str, Any]:
        return self.spec.get("components", {}).get("securitySchemes", {})

    def resolve(self, node: Any) -> Any:
        """A local `$ref` followed (once per level), anything else as is."""
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
            target: Any = self.spec
            for part in node["$ref"][2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def operation(self, method: str, path: str) -> dict[str, Any]:
        return self.spec["paths"][path][method.lower()]

    def media_types(self, method: str, path: str, status: int) -> tuple[str, ...]:
        """The media types the contract documents for an answer (its `default` when the status is not listed)."""
        responses = self.operation(method, path).get("responses", {})
        response = self.resolve(responses.get(str(status), responses.get("default", {})))
        return tuple(media.lower() for media in response.get("content", {}))


def _rules(api: str, spec: dict[str, Any]) -> tuple[Rule, ...]:
    rules = []
    for path, item in spec["paths"].items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            for entry in operation.get("x-rules", []):
                rules.append(
                    Rule(
                        id=entry["id"],
                        rule=entry["rule"],
                        status=int(entry["status"]),
                        source=entry["source"],
                        api=api,
                        operation_id=operation["operationId"],
                        method=method.upper(),
                        path=path,
                        code=entry.get("code"),
                        assumed=tuple(entry.get("assumed", ())),
                        request_keywords=tuple(entry.get("requestKeywords", ())),
                    )
                )
    return tuple(rules)


class ContractError(SuiteError):
    """A contract the suite cannot read (missing, not YAML, no `info.x-api-id`, an id taken twice)."""


def load_contract(path: Path) -> Contract:
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ContractError(f"contract {path}: {error}") from None
    api = spec.get("info", {}).get("x-api-id") if isinstance(spec, dict) else None
    if not isinstance(api, str) or not api:
        raise ContractError(f"contract {path}: info.x-api-id is missing")
    base_path = urlparse(spec["servers"][0]["url"]).path.rstrip("/")
    return Contract(api, path, spec, base_path, _rules(api, spec))


@cache
def load_contracts(*extra: Path) -> dict[str, Contract]:
    """Every vendor contract shipped with the suite, and those in ``extra`` (`RunSettings.contract_files`), by API id
    (`info.x-api-id`: the only place an API's id is spelled)."""
    contracts: dict[str, Contract] = {}
    paths = [asset_meter_specs.spec_path(name) for name in asset_meter_specs.vendor_spec_files()] + list(extra)
    for path in paths:
        contract = load_contract(Path(path))
        if contract.api in contracts:
            raise ContractError(
                f"contract {path}: API id {contract.api!r} is taken by {contracts[contract.api].spec_path}"
            )
        contracts[contract.api] = contract
    return contracts
