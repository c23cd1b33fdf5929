"""connexion's per-operation layers, run one after another for a request routed once.

Stock connexion hands each request down nine middlewares. Routing matches it with Starlette's router; then the
security, request validation, response validation, lifespan and context middlewares, and the app at the end, each
look the operation up again and wrap `send` before handing on. What runs for the operation is cheap; the handing
on is not: about a third of a small GET's time went to it.

`RoutedOnce` sits in connexion's `middlewares` list right inside the exception middleware, where Swagger UI's
router was. For a request that routing would hand to an operation, it matches the request with the routing
middleware's own Starlette routes, changes the scope as that router would, and runs the same operation objects
the layers below hold, in their order: security, request validation, response validation, context, handler. What
they raise reaches connexion's exception middleware as before. Everything else (the docs, a 404, a 405, a path
that routing would redirect, a stack other than connexion's) goes down the stock chain, which answers it as
always. `Settings(plan_once=False)` serves stock connexion instead: the suite runs its API tests both ways."""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from connexion.apps.asynchronous import AsyncASGIApp
from connexion.context import _context, _operation, _receive, _scope
from connexion.lifecycle import ConnexionRequest
from connexion.middleware.abstract import ROUTING_CONTEXT, RoutedMiddleware
from connexion.middleware.context import ContextMiddleware, ContextOperation
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware, ResponseValidationOperation
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.security import SecurityMiddleware, SecurityOperation
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.operations import AbstractOperation
from starlette.routing import Match, Mount, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.flat_lane import FlatLane, flat_lane
from mockserver.planned_validation import PlannedRequestValidation, PlannedResponseValidation

# connexion's stack below this layer, in order; lifespan only ever sees lifespan events.
_BELOW_SWAGGER_UI = (
    RoutingMiddleware,
    SecurityMiddleware,
    RequestValidationMiddleware,
    ResponseValidationMiddleware,
    LifespanMiddleware,
    ContextMiddleware,
    AsyncASGIApp,
)


@dataclass(frozen=True)
class _Plan:
    """What the layers below hold for one operation of one API."""

    security: SecurityOperation
    request_validation: PlannedRequestValidation
    response_validation: t.Callable[[Scope, Send], Send] | None
    """None when responses are not validated."""
    operation: AbstractOperation
    handler: ASGIApp
    lane: FlatLane | None
    """The same layers as one function (`flat_lane.py`); None where it does not cover the operation."""


class _Match(t.NamedTuple):
    """What Starlette's routers find for one method and path: the mount and route, and the scope each hands on."""

    plan: _Plan
    mount: Mount
    mount_scope: Scope
    route: Route
    route_scope: Scope
    api_base_path: str
    operation_id: str


_MATCHES_KEPT = 4096
"""Matches kept by method and path: a route is a function of them (and of the root path), so a path seen again is
not matched again; past this many (a load over many ids) they are forgotten and matched anew."""


class RoutedOnce:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._enabled = True
        self._routing: RoutingMiddleware | None = None
        self._plans: dict[tuple[str, str], _Plan] = {}
        self._planned = False
        self._matched: dict[tuple[str, str, str | None, str | None], _Match] = {}

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> t.Awaitable[None]:
        """The awaitable of what answers the request: the stock chain, the operation's lane, or its layers run here
        (routing is synchronous, so this layer adds no coroutine of its own)."""
        if scope["type"] != "http" or not self._enabled:
            return self.app(scope, receive, send)
        if not self._planned:
            self._plan_layers()
        routed = self._route(scope)
        if routed is None:
            return self.app(scope, receive, send)
        plan, downstream = routed
        if plan.lane is not None:
            return plan.lane(downstream, receive, send)
        return self._run(plan, downstream, receive, send)

    def _plan_layers(self) -> None:
        """The layers are built, and every API added to them, before the first request reaches this one."""
        self._planned = True
        layers = _chain(self.app)
        kinds = [type(layer) for layer in layers]
        if not _is_stock_chain(kinds):
            self._enabled = False  # another stack than connexion's: every request takes it
            return
        self._routing = layers[len(kinds) - len(_BELOW_SWAGGER_UI)]
        routed = [layer for layer in layers[-6:] if not isinstance(layer, LifespanMiddleware)]
        for base_path, apis in routed[-1].apis.items():
            for api in apis:
                for operation_id in api.operations:
                    plan = _plan(base_path, operation_id, *routed)
                    if plan is not None:
                        self._plans[(base_path, operation_id)] = plan

    def _route(self, scope: Scope) -> tuple[_Plan, Scope] | None:
        """The operation the routing middleware would hand ``scope`` to, and the scope it would hand on; None when
        routing would do anything else."""
        assert self._routing is not None
        router = self._routing.router
        key = (scope["method"], scope["path"], scope.get("root_path"), scope.get("route_root_path"))
        matched = self._matched.get(key) if "path_params" not in scope else None
        if matched is None:
            matched = self._match(router, scope)
            if matched is None:
                return None
            if "path_params" not in scope:
                if len(self._matched) >= _MATCHES_KEPT:
                    self._matched.clear()
                self._matched[key] = matched
        plan, mount, mount_scope, route, route_scope, api_base_path, operation_id = matched
        # From here on, what RoutingMiddleware and the two routers do to the scopes.
        downstream = scope.copy()
        scope.setdefault("router", router)
        scope["route"] = mount
        scope.update(mount_scope)
        scope["path_params"] = dict(mount_scope["path_params"])
        scope["route"] = route
        scope.update(route_scope)
        scope["path_params"] = dict(route_scope["path_params"])
        downstream.setdefault("path_params", {}).update(scope["path_params"])
        routing = downstream.setdefault("extensions", {}).setdefault(ROUTING_CONTEXT, {})
        routing.update({"api_base_path": api_base_path, "operation_id": operation_id})
        return plan, downstream

    def _match(self, router: Router, scope: Scope) -> _Match | None:
        """What Starlette's two routers match ``scope`` with, when it reaches a planned operation."""
        mount, mount_scope = _first_full(router, scope)
        if not isinstance(mount, Mount) or not isinstance(mount.app, Router):
            return None
        inner_scope = {**scope, **mount_scope}
        route, route_scope = _first_full(mount.app, inner_scope)
        if not isinstance(route, Route):
            return None
        operation_id = getattr(route.endpoint, "operation_id", None)
        root = inner_scope.get("route_root_path", inner_scope.get("root_path", ""))
        api_base_path = root[len(scope.get("route_root_path", scope.get("root_path", ""))) :]
        plan = self._plans.get((api_base_path, operation_id)) if operation_id is not None else None
        if plan is None:
            return None
        return _Match(plan, mount, mount_scope, route, route_scope, api_base_path, operation_id)

    async def _run(self, plan: _Plan, scope: Scope, receive: Receive, send: Send) -> None:
        security = plan.security
        if security.security:
            await security.verification_fn(ConnexionRequest(scope))
        scope, receive = await plan.request_validation.validated(scope, receive)
        if plan.response_validation is not None:
            send = plan.response_validation(scope, send)
        _context.set(scope.get("extensions", {}).get("connexion_context", {}))
        _operation.set(plan.operation)
        _receive.set(receive)
        _scope.set(scope)
        await plan.handler(scope, receive, send)


def _first_full(router: Router, scope: Scope) -> tuple[t.Any, Scope]:
    """The route Starlette's router takes: the first that matches fully (one that matches the path only is a 405
    to come, which the stock chain answers)."""
    for route in router.routes:
        match, child_scope = route.matches(scope)
        if match is Match.FULL:
            return route, child_scope
    return None, {}


def _chain(app: t.Any) -> list[t.Any]:
    layers = []
    while app is not None and len(layers) < 32:
        layers.append(app)
        if isinstance(app, AsyncASGIApp):
            break
        app = getattr(app, "next_app", None) or getattr(app, "app", None)
    return layers


def _is_stock_chain(kinds: list[type]) -> bool:
    """Swagger UI's middleware (which hands on every request but the docs untouched), then connexion's own."""
    below = kinds[1:]
    return (
        len(kinds) == len(_BELOW_SWAGGER_UI) + 1
        and issubclass(kinds[0], SwaggerUIMiddleware)
        and all(issubclass(kind, stock) for kind, stock in zip(below, _BELOW_SWAGGER_UI, strict=True))
    )


def _plan(
    base_path: str,
    operation_id: str | None,
    security: RoutedMiddleware,
    request_validation: RoutedMiddleware,
    response_validation: RoutedMiddleware,
    context: RoutedMiddleware,
    app: RoutedMiddleware,
) -> _Plan | None:
    """The operation's objects in each layer; None (the stock chain answers) where one is not what it is here."""
    if operation_id is None:
        return None
    checks = _operation_of(request_validation, base_path, operation_id)
    answers = _operation_of(response_validation, base_path, operation_id)
    if not isinstance(checks, PlannedRequestValidation):
        return None
    if isinstance(answers, ResponseValidationOperation) and not isinstance(answers, PlannedResponseValidation):
        return None
    guard = _operation_of(security, base_path, operation_id)
    exposed = _operation_of(context, base_path, operation_id)
    handler = _operation_of(app, base_path, operation_id)
    if not isinstance(guard, SecurityOperation) or not isinstance(exposed, ContextOperation) or handler is None:
        return None
    planned = answers if isinstance(answers, PlannedResponseValidation) else None
    validating = planned.validating if planned is not None else None
    lane = flat_lane(guard, checks, planned, exposed.operation, handler)
    return _Plan(guard, checks, validating, exposed.operation, handler, lane)


def _operation_of(layer: RoutedMiddleware, base_path: str, operation_id: str) -> t.Any:
    for api in layer.apis.get(base_path, []):
        if operation_id in api.operations:
            return api.operations[operation_id]
    return None
