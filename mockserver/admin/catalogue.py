"""The contracts as a person browses them: every operation with the statuses it documents (what a fault rule may
answer) and its `x-rules` entries (the rule catalogue), read from the mounted specs, never restated."""

from __future__ import annotations

from typing import Any

from mockserver.qa.operations import MountedApi

_METHODS = ("get", "put", "post", "delete", "patch")
_RULE_FIELDS = ("id", "rule", "status", "code", "source", "assumed")


def operations(apis: list[MountedApi]) -> list[dict[str, Any]]:
    found = []
    for api in apis:
        for template, item in api.spec.get("paths", {}).items():
            for method in _METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                found.append({
                    "api": api.id,
                    "operationId": operation["operationId"],
                    "method": method.upper(),
                    "path": api.base_path + template,
                    "summary": operation.get("summary", ""),
                    "statuses": sorted(int(status) for status in operation.get("responses", {}) if status.isdigit()),
                    "rules": [
                        {name: entry[name] for name in _RULE_FIELDS if name in entry}
                        for entry in operation.get("x-rules", [])
                    ],
                })  # fmt: skip
    return found
