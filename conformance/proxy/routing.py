"""Which API and operation a request is for: the API by the longest contract base path its path starts with,
the operation by the contract's path templates (literal segments win over parameters, as routers do)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from conformance.contracts import Contract

_METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


@dataclass(frozen=True)
class Operation:
    api: str
    method: str
    template: str
    """The contract's path template, relative to the base path (`/leases/assets/{assetId}`)."""
    operation_id: str
    path_parameters: dict[str, str]


@cache
def _templates(contract: Contract) -> tuple[tuple[re.Pattern[str], str, int], ...]:
    compiled = []
    for template in contract.spec["paths"]:
        pattern = re.sub(r"\\\{([^}]+)\\\}", lambda m: f"(?P<{_group(m.group(1))}>[^/]+)", re.escape(template))
        literal = sum(1 for part in template.split("/") if part and not part.startswith("{"))
        compiled.append((re.compile(f"^{pattern}$"), template, literal))
    return tuple(sorted(compiled, key=lambda entry: -entry[2]))


def _group(name: str) -> str:
    """A regex group name for a path parameter (names such as `meter-id` are not identifiers)."""
    return "p_" + re.sub(r"\W", lambda m: f"_{ord(m.group()):x}_", name)


def _parameter(group: str) -> str:
    return re.sub(r"_([0-9a-f]+)_", lambda m: chr(int(m.group(1), 16)), group[2:])


class Router:
    """Routes to the APIs a targets file names, and only to those (never an open proxy)."""

    def __init__(self, contracts: dict[str, Contract], origins: dict[str, str]) -> None:
        self.contracts = {api: contracts[api] for api in origins}
        self.origins = origins
        self._by_length = sorted(self.contracts.values(), key=lambda c: -len(c.base_path))

    def api_of(self, path: str) -> Contract | None:
        for contract in self._by_length:
            base = contract.base_path
            if path == base or path.startswith(base + "/") or not base:
                return contract
        return None

    def operation(self, contract: Contract, method: str, path: str) -> Operation | None:
        relative = path[len(contract.base_path) :] or "/"
        for pattern, template, _ in _templates(contract):
            match = pattern.match(relative)
            if match is None:
                continue
            item = contract.spec["paths"][template]
            operation = item.get(method.lower()) if method.lower() in _METHODS else None
            if not isinstance(operation, dict):
                return Operation(contract.api, method.upper(), template, "", {})
            parameters = {_parameter(name): value for name, value in match.groupdict().items()}
            return Operation(contract.api, method.upper(), template, operation.get("operationId", ""), parameters)
        return None
