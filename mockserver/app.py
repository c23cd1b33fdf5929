"""Builds one connexion AsyncApp serving every vendor spec under its own base path, plus `/__admin`."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import connexion
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver

import asset_meter_specs
from asset_meter_specs.credential_headers import credential_headers
from mockserver.admin.guard import AdminGuard, admin_security_map
from mockserver.admin.handlers import AdminHandlers
from mockserver.auth import Authenticator, security_map
from mockserver.body_limit import BodyLimit
from mockserver.clock import Clock
from mockserver.console.pages import Console
from mockserver.contracts import ContractError, base_path_of, load_spec
from mockserver.cors import Cors
from mockserver.error_routing import ErrorRouter
from mockserver.fixtures import read_document
from mockserver.media_types import MediaTypeCase
from mockserver.once_per_operation import OnceDecoratedApp
from mockserver.qa.faults import Faults
from mockserver.qa.journal import Journal
from mockserver.qa.middleware import QaMiddleware
from mockserver.qa.operations import MountedApi, OperationIndex
from mockserver.relative_redirects import RelativeRedirects
from mockserver.request_head import RequestHeadLimit
from mockserver.runtime import Runtime
from mockserver.settings import Settings
from mockserver.store import Store
from mockserver.store.mock_state import MockState
from mockserver.tenancy import Tenants
from mockserver.validation import compiled_validator_map
from mockserver.vendor_api import VendorApi, discover_apis, missing_handlers
from mockserver.worker_threads import placed

# connexion warns on every request to an operation that accepts several media types.
logging.getLogger("connexion.operations.openapi3").setLevel(logging.ERROR)

SpecTransform = Callable[[str, dict[str, Any]], dict[str, Any]]


@dataclass
class MockApp:
    """The ASGI app and what a caller may want to reach behind it (tests, the CLI's banner)."""

    asgi: connexion.AsyncApp
    runtime: Runtime
    mounted: list[dict[str, str]]
    front: QaMiddleware
    outermost: Any = None
    """What a request meets first (CORS, redirects), around ``front``; ``front`` itself when None."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await (self.outermost or self.front)(scope, receive, send)


__all__ = ["MockApp", "base_path_of", "build_app", "load_spec"]


def _resolver(handlers: object) -> Resolver:
    return Resolver(function_resolver=lambda operation_id: placed(getattr(handlers, operation_id)))


def build_app(
    settings: Settings | None = None,
    *,
    apis: list[VendorApi] | None = None,
    transform_spec: SpecTransform | None = None,
    validator_map: dict[str, Any] | None = None,
) -> MockApp:
    """A deliberately broken mock, for tests, comes from the parts handed in: ``apis`` with replaced parts,
    ``transform_spec`` to serve an altered contract, ``validator_map`` for validators other than the compiled
    ones (connexion's stock validators, say)."""
    settings = settings or Settings()
    apis = discover_apis() if apis is None else apis
    store = Store(settings.store_url)
    authenticator = Authenticator(store, settings.auth_mode)
    configured = read_document(settings.fixtures, settings.limits.yaml)
    kept = MockState(store, configured)
    tenants = Tenants(store, apis, kept.posted_dataset() or configured, authenticator, kept)
    runtime = Runtime(
        store=store,
        clock=Clock(),
        tenants=tenants,
        authenticator=authenticator,
        apis=apis,
        job_pace=settings.job_pace,
        kept=kept,
    )
    kept.restore_clock(runtime.clock)

    app = OnceDecoratedApp(
        __name__,
        swagger_ui_options=SwaggerUIOptions(swagger_ui=settings.swagger_ui),
        plan_once=settings.plan_once,
    )
    validator_map = compiled_validator_map() if validator_map is None else validator_map
    errors = ErrorRouter()
    mounted = []
    contracts = []
    for api in apis:
        spec = load_spec(api.spec_file)
        if transform_spec is not None:
            spec = transform_spec(api.id, spec)
        base_path = base_path_of(spec)
        handlers = api.make_handlers(runtime)
        missing = missing_handlers(handlers, _operation_ids(spec))
        if missing:
            raise ContractError(f"{api.id}: no handler for operationId {', '.join(missing)}")
        if api.jobs is not None:
            runtime.job_runners[api.id] = functools.partial(api.jobs, handlers)
        app.add_api(
            spec,
            base_path=base_path,
            name=api.id,
            resolver=_resolver(handlers),
            validator_map=validator_map,
            validate_responses=settings.validate_responses,
            security_map=security_map(api.id, authenticator),
        )
        errors.mount(base_path, api.errors)
        mounted.append({"id": api.id, "basePath": base_path, "docs": f"{base_path}/ui/"})
        contracts.append(MountedApi(api.id, base_path, spec))

    admin_spec = load_spec(asset_meter_specs.ADMIN_SPEC)
    admin_base_path = base_path_of(admin_spec)
    app.add_api(
        admin_spec,
        base_path=admin_base_path,
        name="admin",
        resolver=_resolver(
            AdminHandlers(runtime, mounted, settings.auth_mode, contracts, admin_token=settings.admin_token is not None)
        ),
        validator_map=validator_map,
        validate_responses=settings.validate_responses,
        security_map=admin_security_map(),
    )
    errors.install(app)
    errors.allowed_methods = OperationIndex([*contracts, MountedApi("admin", admin_base_path, admin_spec)]).allowed
    index = OperationIndex(contracts)
    runtime.journal = Journal(
        settings.journal_size,
        settings.journal_body_limit,
        settings.journal_max_bytes,
        credential_headers([*(mounted.spec for mounted in contracts), admin_spec]),
    )
    runtime.faults = Faults(index, settings.limits.max_latency_ms)
    kept.restore_faults(runtime.faults)
    bounded = RequestHeadLimit(
        BodyLimit(MediaTypeCase(app), settings.max_body_bytes, errors.format_for),
        settings.limits.max_path_bytes,
        settings.limits.max_header_bytes,
        errors.format_for,
    )
    errors_by_api = {api.id: api.errors for api in apis}
    front = QaMiddleware(
        bounded, index, runtime.journal, runtime.faults, errors_by_api, settings.limits.max_prefer_chars
    )
    mock = MockApp(asgi=app, runtime=runtime, mounted=mounted, front=front, outermost=_outermost(front, settings))
    runtime.app = mock
    return mock


def _operation_ids(spec: dict[str, Any]) -> list[str]:
    return [
        operation["operationId"]
        for item in spec.get("paths", {}).values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]


def _outermost(front: QaMiddleware, settings: Settings) -> Any:
    """CORS outside everything else, so a preflight is answered before the admin token, faults, the journal or the
    body limit see it, and every answer (401s, faults and 413s included) carries the headers a browser needs."""
    console = Console(front)
    # Without a token the guard hands every request on untouched: it is left out of the chain.
    redirects = RelativeRedirects(AdminGuard(console, settings.admin_token) if settings.admin_token else console)
    if not settings.cors_origins:
        return redirects
    return Cors(
        redirects,
        allow_origins=list(settings.cors_origins),
        allow_methods=["*"],
        allow_headers=["*"],  # mirrors what a preflight asks for: Authorization, ECI-ApiKey, X-API-KEY, Prefer
        expose_headers=list(EXPOSED_HEADERS),
        max_age=600,
    )


# Headers of the vendors' answers a browser app must be able to read (beyond the CORS safelisted ones).
EXPOSED_HEADERS = ("Location", "Retry-After", "WWW-Authenticate", "ETag", "Allow")
