"""The seam every vendor API plugs into: one package under `mockserver/apis/` exposing `API`.

The handler contract. `make_handlers(runtime)` returns an object with one `async def` method per `operationId`
of the contract (run to its end in a worker thread; it must not await). connexion calls it with:
- each path, query and header parameter under its name in the contract (`id`, `accountId`, `q`...);
- `validated_body`: the request body, parsed and already checked against the contract (our `validation.py`
  hands it over through connexion's request context), for operations that take one;
- `user`: the tenant, named by the credential (connexion's `sub`, from `auth.security_map`).
It returns what connexion accepts (a body, `(body, status)` or `(body, status, headers)`), or raises
`RulesBroken` (rendered by `errors.rules_broken`) or connexion's `ProblemException` (by `errors.problem`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from connexion.lifecycle import ConnexionResponse
from sqlalchemy import Connection, Table

from mockserver.contracts import api_id_of, contract_path
from mockserver.errors import RulesBroken

if TYPE_CHECKING:
    from mockserver.runtime import Runtime


class ErrorFormat(Protocol):
    """Renders everything that goes wrong in one vendor's own error format."""

    def rules_broken(self, error: RulesBroken) -> ConnexionResponse: ...

    def problem(self, status: int, detail: str, error: Exception | None) -> ConnexionResponse: ...


class FixtureSection(Protocol):
    """An API's section of a fixture document: load into, dump from and clear one tenant."""

    def credentials(self, section: dict[str, Any]) -> list[str]: ...

    def load(self, connection: Connection, tenant: str, section: dict[str, Any]) -> None: ...

    def dump(self, connection: Connection, tenant: str) -> dict[str, Any]: ...


HandlerFactory = Callable[["Runtime"], object]
"""Builds the handlers (see the module's docstring) from the mock's Runtime, once per app."""


class JobRunner(Protocol):
    """Advances one tenant's asynchronous jobs to where the mock's clock says they are (to their end with
    ``at_once``) and returns how many moved. Called with the handlers ``make_handlers`` built, so a mock built
    from other parts runs its jobs with those parts."""

    def __call__(self, handlers: Any, connection: Connection, tenant: str, *, at_once: bool) -> int: ...


class TenantView(Protocol):
    """One tenant's data as the vendor API would answer it: the attributes a snapshot leaves out because the API
    computes them (Oracle's NetValue) included. Read only; the console draws from it."""

    def __call__(self, connection: Connection, tenant: str) -> dict[str, Any]: ...


Outcome = tuple[int, str | None]


@dataclass(frozen=True)
class VendorApi:
    spec_file: str | Path
    """The contract: a file name shipped in `asset_meter_specs`, or a path (an API kept outside the package)."""
    tables: tuple[Table, ...]
    errors: ErrorFormat
    fixtures: FixtureSection
    make_handlers: HandlerFactory
    jobs: JobRunner | None = None
    """Set when the API has asynchronous jobs: `POST /__admin/jobs/run` and the job pace drive them."""
    view: TenantView | None = None
    """Set when a tenant's data reads differently through the API than in its snapshot: `GET
    /__admin/tenants/{tenantId}/view/{api}` answers it."""
    outcomes: Mapping[str, Outcome] = field(default_factory=dict)
    """Rule id -> (status, code) of every violation the rules raise; a test holds each to the contract."""

    @property
    def id(self) -> str:
        """The contract's `info.x-api-id`: the API has no other spelling of its id."""
        return api_id_of(self.spec_file)

    @property
    def spec_path(self) -> Path:
        return contract_path(self.spec_file)

    def clear(self, connection: Connection, tenant: str | None) -> None:
        """Delete one tenant's rows (or everyone's) from this API's tables, children first."""
        for table in reversed(self.tables):
            statement = table.delete()
            if tenant is not None:
                statement = statement.where(table.c.tenant == tenant)
            connection.execute(statement)


def missing_handlers(handlers: object, operation_ids: list[str]) -> list[str]:
    """The operationIds ``handlers`` has no method for."""
    return [operation_id for operation_id in operation_ids if not callable(getattr(handlers, operation_id, None))]


def discover_apis() -> list[VendorApi]:
    """Every package under `mockserver.apis` that exposes an `API`, ordered by id."""
    import mockserver.apis as package

    apis = []
    for module in pkgutil.iter_modules(package.__path__):
        candidate = getattr(importlib.import_module(f"{package.__name__}.{module.name}"), "API", None)
        if isinstance(candidate, VendorApi):
            apis.append(candidate)
    return sorted(apis, key=lambda api: api.id)
