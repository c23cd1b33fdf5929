"""The seam every vendor API plugs into: one package under `mockserver/apis/` exposing `API`."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from connexion.lifecycle import ConnexionResponse
from sqlalchemy import Connection, Table

from mockserver.errors import RulesBroken


class ErrorFormat(Protocol):
    """Renders everything that goes wrong in one vendor's own error format."""

    def rules_broken(self, error: RulesBroken) -> ConnexionResponse: ...

    def problem(self, status: int, detail: str, error: Exception | None) -> ConnexionResponse: ...


class FixtureSection(Protocol):
    """An API's section of a fixture document: load into, dump from and clear one tenant."""

    def credentials(self, section: dict[str, Any]) -> list[str]: ...

    def load(self, connection: Connection, tenant: str, section: dict[str, Any]) -> None: ...

    def dump(self, connection: Connection, tenant: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class VendorApi:
    id: str
    spec_file: str
    tables: tuple[Table, ...]
    errors: ErrorFormat
    fixtures: FixtureSection
    make_handlers: Callable[[Any], object]
    """Called with the mock's Runtime; returns an object with one method per operationId."""

    def clear(self, connection: Connection, tenant: str | None) -> None:
        """Delete one tenant's rows (or everyone's) from this API's tables, children first."""
        for table in reversed(self.tables):
            statement = table.delete()
            if tenant is not None:
                statement = statement.where(table.c.tenant == tenant)
            connection.execute(statement)


def discover_apis() -> list[VendorApi]:
    """Every package under `mockserver.apis` that exposes an `API`, ordered by id."""
    import mockserver.apis as package

    apis = []
    for module in pkgutil.iter_modules(package.__path__):
        candidate = getattr(importlib.import_module(f"{package.__name__}.{module.name}"), "API", None)
        if isinstance(candidate, VendorApi):
            apis.append(candidate)
    return sorted(apis, key=lambda api: api.id)
