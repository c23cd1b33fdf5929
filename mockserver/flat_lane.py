"""One operation's connexion layers run as one function, on one request object: the flat lane.

`routed_once.py` runs an operation's layers one after another, each as connexion wrote it. The last of them, the
app, is itself five nested calls (the operation, the decorator that builds a request with the URI parser, the
response decorator, the parameter decorator, the sync/async decorator) around the handler; and security, the
parameter checks and the parameter decorator each build their own request object, the last two parsing the path
and the query again. On a small GET this handing on costs about as much as the handler.

The lane takes the same steps with the same objects, in the same order:
- security: the operation's `verification_fn`, on the request the checks read (it reads only its headers and
  context, unless a scheme reads the query: then on a request of its own, as connexion builds it);
- request validation: the operation's planned checks (`planned_validation.py`), reading parameters from one
  request made with the operation's URI parser (an empty query string is known to hold no parameters, and path
  parameters seen before are known resolved);
- response validation: the operation's planned answer checks, made on Starlette's answer object before it is
  sent (around `send` for any other answer);
- context: connexion's context variables, set as its context middleware sets them;
- the handler: called with the keyword arguments connexion's parameter decorator would give it
  (`planned_arguments.py`), read from that same request (a handler that is not a coroutine function through
  connexion's own sync/async decorator); what it returns becomes a framework response as connexion's response
  decorator makes it (`planned_responses.py`), which answers the request.

A request the lane's plan does not cover (a form or multipart body) goes to the operation's app, as in
`routed_once.py`. What any step raises reaches connexion's exception middleware, as before."""

from __future__ import annotations

import asyncio
import typing as t

from connexion.apps.asynchronous import AsyncOperation
from connexion.context import _context, _operation, _receive, _scope
from connexion.decorators import StarletteDecorator
from connexion.http_facts import FORM_CONTENT_TYPES
from connexion.lifecycle import ConnexionRequest
from connexion.middleware.security import SecurityOperation
from connexion.operations import AbstractOperation
from connexion.uri_parsing import OpenAPIURIParser
from starlette.requests import Request as StarletteRequest
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.planned_arguments import (
    ArgumentPlan,
    PlannedParameters,
    argument_plan,
    keyword_arguments,
    path_arguments,
)
from mockserver.planned_responses import PlannedResponses
from mockserver.planned_validation import PlannedRequestValidation, PlannedResponseValidation, content_type_of


class FlatLane:
    def __init__(
        self,
        security: SecurityOperation,
        checks: PlannedRequestValidation,
        answers: PlannedResponseValidation | None,
        operation: AbstractOperation,
        app: ASGIApp,
        arguments: ArgumentPlan,
        handler: t.Callable[..., t.Awaitable[t.Any]],
        responding: PlannedResponses,
    ) -> None:
        self._verify = security.verification_fn if security.security else None
        self._shared = _reads_headers_only(security)
        self._checks = checks
        self._uri_parser = checks.uri_parser
        self._no_query = type(self._uri_parser) is OpenAPIURIParser
        self._answers = answers
        self._operation = operation
        self._app = app
        self._arguments = arguments
        self._handler = handler
        self._responding = responding
        self._paths: dict[tuple[tuple[str, t.Any], ...], tuple[dict[str, t.Any], dict[str, t.Any]]] = {}

    def _keep(self, key: tuple[tuple[str, t.Any], ...], resolved: dict[str, t.Any], found: dict[str, t.Any]) -> None:
        """The path parameters as the URI parser resolves them and the handler's arguments from them, for routed path
        parameters ``key``: both depend on nothing else. Kept when immutable, as copies, for a bounded number."""
        if all(type(value) in _SCALARS for value in (*resolved.values(), *found.values())):
            if len(self._paths) >= _PATHS_KEPT:
                self._paths.clear()
            self._paths[key] = (dict(resolved), dict(found))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = LaneRequest.on(scope, self._uri_parser)
        if self._no_query and scope.get("query_string") == b"":
            # What the parser answers for an empty query string (parsed into no parameters, and none resolved).
            request._query_params = {}
        key = _path_key(scope)
        known = self._paths.get(key) if key is not None else None
        if known is not None:
            request._path_params = dict(known[0])
        if self._verify is not None:
            await self._verify(request if self._shared else ConnexionRequest(scope))
        content_type = content_type_of(scope["headers"])
        scope, receive = await self._checks.validated(scope, receive, request, content_type)
        context = scope.get("extensions", {}).get("connexion_context", {})
        _context.set(context)
        _operation.set(self._operation)
        _receive.set(receive)
        _scope.set(scope)
        if _is_form(content_type, scope):
            await self._app(scope, receive, send if self._answers is None else self._answers.validating(scope, send))
            return
        if known is None:
            from_path = path_arguments(self._arguments, request.path_params)
            if key is not None:
                self._keep(key, request.path_params, from_path)
        else:
            from_path = known[1]
        answered = await self._handler(**keyword_arguments(self._arguments, request, context, from_path))
        response = self._responding.framework_response(answered)
        if self._answers is None:
            await response(scope, receive, send)
        else:
            await self._answers.send_checked(response, scope, receive, send)


class LaneRequest(ConnexionRequest):
    """connexion's request, made and read without the AttributeErrors connexion's own raises and catches: its
    constructor asks `hasattr` of an attribute it sets next (two errors), and every attribute of Starlette's request
    it hands on (security reads `headers` and `scope`) is looked for on it first (one error each)."""

    @classmethod
    def on(cls, scope: Scope, uri_parser: t.Any) -> LaneRequest:
        """``ConnexionRequest(scope, uri_parser=uri_parser)``, as `from_starlette_request` makes one."""
        return cls.from_starlette_request(StarletteRequest(scope), uri_parser=uri_parser)  # type: ignore[return-value]

    @property
    def scope(self) -> Scope:
        return self._starlette_request.scope

    @property
    def headers(self) -> t.Any:
        return self._starlette_request.headers


_SCALARS = frozenset({str, int, float, bool, type(None)})
_PATHS_KEPT = 1024
"""Path parameters kept resolved per operation: with `_KEPT_PATH_BYTES`, a few MB for all operations at most."""
_KEPT_PATH_BYTES = 256
"""A longer path (one may hold 2 KB) is resolved every time."""


def _path_key(scope: Scope) -> tuple[tuple[str, t.Any], ...] | None:
    """The routed path parameters (what Starlette's request reads), when all are scalars and the path is short:
    None otherwise."""
    if len(scope["path"]) > _KEPT_PATH_BYTES:
        return None
    params = scope.get("path_params", {})
    for value in params.values():
        if type(value) not in _SCALARS:
            return None
    return tuple(params.items())


def _reads_headers_only(security: SecurityOperation) -> bool:
    """Whether the operation's security reads nothing of a request but its headers and context, so that it may read
    them from the request the checks read (connexion gives it one without a URI parser: no query parameters)."""
    return not any(
        scheme.get("type") == "apiKey" and scheme.get("in") == "query"
        for scheme in (security.security_schemes or {}).values()
    )


def _is_form(content_type: str | None, scope: Scope) -> bool:
    """Whether connexion's parameter decorator would read the request's form (its `mimetype`), for a request with
    this Content-Type (`content_type_of` its headers)."""
    if content_type is None or "form" not in content_type.lower():
        return False
    return ConnexionRequest(scope).mimetype in FORM_CONTENT_TYPES


def flat_lane(
    security: SecurityOperation,
    checks: PlannedRequestValidation,
    answers: PlannedResponseValidation | None,
    operation: AbstractOperation,
    app: ASGIApp,
) -> FlatLane | None:
    """The lane of an operation served by the mock's own operation class (`once_per_operation.py`); None where
    connexion's parameter decorator would hand the handler its body or everything (the layers answer then)."""
    if not isinstance(app, AsyncOperation):
        return None
    function = app._fn
    decorator = StarletteDecorator(pythonic_params=app.pythonic_params, jsonifier=app.jsonifier)
    parameters = PlannedParameters(framework=decorator.framework, pythonic_params=app.pythonic_params)
    arguments = argument_plan(operation, function, parameters.sanitize_fn)
    if arguments is None:
        return None
    responding = PlannedResponses(framework=decorator.framework, jsonifier=decorator.jsonifier, operation=operation)
    # connexion's sync/async decorator awaits a coroutine function as it is (asking which it is on every call), and
    # its response decorator's wrapper is `framework_response` around the handler: the lane takes both steps itself.
    handler = function if asyncio.iscoroutinefunction(function) else decorator._sync_async_decorator(function)
    return FlatLane(security, checks, answers, operation, app, arguments, handler, responding)
