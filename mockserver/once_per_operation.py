"""connexion's AsyncApp, with what it works out on every request but depends only on the operation worked out once.

Stock connexion 3.3 decorates the handler anew for each request (`AsyncOperation.fn` is a property): it builds the
parameter and response decorators, runs `inspect.signature` on the handler and builds a URI parser from the
operation's parameters, every time. Here each operation decorates its handler once, with connexion's own
decorators, and keeps the URI parser; what a request brings (its scope, body, the `operation` context) is still
read per request, exactly as connexion reads it.

The handler's keyword arguments (`planned_arguments.py`), request and response validation likewise
(`planned_validation.py`), and the request is routed once for all the operation's layers (`routed_once.py`).

The app class is swapped the way connexion's own `AsyncApp` and `FlaskApp` do it: `_middleware_app` is the
routed ASGI app `AbstractApp` wraps in its middleware stack."""

from __future__ import annotations

import functools
import re
import typing as t

from connexion import AsyncApp
from connexion.apps.abstract import AbstractApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.decorators.parameter import AsyncParameterDecorator
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.operations import AbstractOperation
from connexion.uri_parsing import AbstractURIParser
from starlette.types import Receive, Scope, Send

from mockserver.planned_arguments import PlannedParameters
from mockserver.planned_validation import PlannedRequestValidationMiddleware, PlannedResponseValidationMiddleware
from mockserver.routed_once import RoutedOnce

# Everything Swagger UI's router serves under an API's base path (connexion's default paths, which the mock uses).
_DOCS = re.compile(r"/ui(/|$)|/openapi\.(json|yaml)$")


class _DecoratedOnce(StarletteDecorator):
    @property
    def _parameter_decorator_cls(self) -> type[AsyncParameterDecorator]:
        return PlannedParameters

    def __call__(self, function: t.Callable) -> t.Callable:
        decorated = self.decorate(function)
        parsers: list[AbstractURIParser] = []

        @functools.wraps(function)
        async def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            if not parsers:  # the `operation` context is set only while a request is served
                parsers.append(self.uri_parser)
            request = self.framework.get_request(uri_parser=parsers[0], scope=scope, receive=receive)
            return await decorated(request)

        return wrapper


class OnceDecoratedOperation(AsyncOperation):
    @functools.cached_property
    def fn(self) -> t.Callable:  # type: ignore[override]
        return _DecoratedOnce(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)(self._fn)


class _Api(AsyncApi):
    def make_operation(self, operation: AbstractOperation) -> AsyncOperation:
        return OnceDecoratedOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


class _ASGIApp(AsyncASGIApp):
    api_cls = _Api


class DocsOnlySwaggerUI(SwaggerUIMiddleware):
    """Swagger UI's router sees only requests for the docs; stock connexion routes every request through it (a
    scope copy, a context variable and a walk over every API's mount) before handing it on unchanged."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _DOCS.search(scope["path"]) is None:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


_REPLACED: dict[type, type] = {
    SwaggerUIMiddleware: DocsOnlySwaggerUI,
    RequestValidationMiddleware: PlannedRequestValidationMiddleware,
    ResponseValidationMiddleware: PlannedResponseValidationMiddleware,
}
MIDDLEWARES = [_REPLACED.get(middleware, middleware) for middleware in ConnexionMiddleware.default_middlewares]


def middlewares() -> list[t.Any]:
    """connexion's middlewares, replaced as above, with `RoutedOnce` right inside the exception middleware."""
    inside = MIDDLEWARES.index(ExceptionMiddleware) + 1
    return [*MIDDLEWARES[:inside], RoutedOnce, *MIDDLEWARES[inside:]]


class OnceDecoratedApp(AsyncApp):
    """`connexion.AsyncApp`, taking the same arguments; its middlewares default to `middlewares()`.

    ``plan_once=False`` gives stock connexion 3.3 instead: its own middlewares and operations, which work everything
    out on every request. The suite answers the same requests both ways and compares the answers."""

    def __init__(self, import_name: str, *, plan_once: bool = True, **options: t.Any) -> None:
        if not plan_once:
            options.setdefault("middlewares", list(ConnexionMiddleware.default_middlewares))
            AsyncApp.__init__(self, import_name, **options)
            return
        self._middleware_app = _ASGIApp()
        options.setdefault("middlewares", middlewares())
        AbstractApp.__init__(self, import_name, **options)
