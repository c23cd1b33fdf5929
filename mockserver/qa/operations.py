"""Which API and operation a request is for, and whose credential it carries, read from the contracts alone,
so the journal and the faults know it before (and whether or not) connexion routes the request."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class Operation:
    api: str
    operation_id: str
    method: str
    path: str  # the contract's path template, with the base path
    statuses: tuple[int, ...]  # documented response statuses


@dataclass(frozen=True)
class MountedApi:
    id: str
    base_path: str
    spec: dict[str, Any]


def tenant_fingerprint(tenant: str) -> str:
    """How the journal names a tenant: in open mode the tenant is the credential itself, never shown."""
    return "t-" + hashlib.sha256(tenant.encode()).hexdigest()[:12]


class OperationIndex:
    def __init__(self, apis: list[MountedApi]) -> None:
        self._apis = sorted(apis, key=lambda api: len(api.base_path), reverse=True)
        self._routes: list[tuple[re.Pattern[str], str, Operation]] = []
        self._schemes: dict[str, dict[str, Any]] = {}
        for api in apis:
            schemes = api.spec.get("components", {}).get("securitySchemes", {})
            self._schemes[api.id] = next(iter(schemes.values()), {})
            for template, item in api.spec.get("paths", {}).items():
                pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(api.base_path + template)))
                for method in _METHODS:
                    operation = item.get(method)
                    if isinstance(operation, dict) and "operationId" in operation:
                        statuses = tuple(sorted(int(s) for s in operation.get("responses", {}) if s.isdigit()))
                        found = Operation(api.id, operation["operationId"], method.upper(), api.base_path + template,
                                          statuses)  # fmt: skip
                        self._routes.append((pattern, found.method, found))
        # Literal segments win over parameters (`/version/{id}` vs `/version/latest`): longer templates first.
        self._routes.sort(key=lambda route: route[2].path.count("{"))

    def api_of(self, path: str) -> str | None:
        for api in self._apis:
            if path == api.base_path or path.startswith(api.base_path + "/"):
                return api.id
        return None

    def find(self, method: str, path: str) -> Operation | None:
        for pattern, route_method, operation in self._routes:
            if route_method == method.upper() and pattern.fullmatch(path):
                return operation
        return None

    def allowed(self, path: str) -> list[str]:
        """The methods the contracts document for ``path`` (HEAD wherever GET is), for a 405's Allow header."""
        methods = [method for pattern, method, _ in self._routes if pattern.fullmatch(path)]
        if "GET" in methods:
            methods.append("HEAD")
        return sorted(set(methods), key=methods.index)

    def operations(self, api: str | None = None, operation_id: str | None = None) -> list[Operation]:
        return [
            operation
            for _, _, operation in self._routes
            if (api is None or operation.api == api)
            and (operation_id is None or operation.operation_id == operation_id)
        ]

    def credential_header(self, api: str | None) -> str:
        """The (lower-case) name of the header that carries ``api``'s credential."""
        scheme = self._schemes.get(api or "", {})
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            return scheme["name"].lower()
        return "authorization"

    def credential_repeated(self, api: str | None, headers: list[tuple[bytes, bytes]]) -> bool:
        """Whether the request names two tenants at once: its credential header appears more than once."""
        name = self.credential_header(api).encode("latin-1")
        return sum(1 for raw, _ in headers if raw.lower() == name) > 1

    def tenant(self, api: str | None, headers: dict[str, str]) -> str | None:
        """The credential the request presents under its API's scheme, which names the tenant."""
        scheme = self._schemes.get(api or "", {})
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            return headers.get(scheme["name"].lower()) or None
        authorization = headers.get("authorization", "")
        kind, _, value = authorization.partition(" ")
        if kind.lower() == "bearer":
            return value or None
        if kind.lower() == "basic":
            try:
                return base64.b64decode(value).decode().partition(":")[0] or None
            except (ValueError, UnicodeDecodeError):
                return None
        return None
