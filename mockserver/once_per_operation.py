"""connexion's AsyncApp, with what it works out on every request but depends only on the operation worked out once.

Stock connexion 3.3 decorates the handler anew for each request (`AsyncOperation.fn` is a property): it builds the
parameter and response decorators, runs `inspect.signature` on the handler and builds a URI parser from the
operation's parameters, every time. Here each operation decorates its handler once, with connexion's own
decorators, and keeps the URI parser; what a request brings (its scope, body, the `operation` context) is still
read per request, exactly as connexion reads it.

The app class is swapped the way connexion's own `AsyncApp` and `FlaskApp` do it: `_middleware_app` is the
routed ASGI app `AbstractApp` wraps in its middleware stack."""

from __future__ import annotations

import functools
import typing as t

from connexion import AsyncApp
from connexion.apps.abstract import AbstractApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.operations import AbstractOperation
from connexion.uri_parsing import AbstractURIParser


class _DecoratedOnce(StarletteDecorator):
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


class OnceDecoratedApp(AsyncApp):
    """`connexion.AsyncApp`, taking the same arguments."""

    def __init__(self, import_name: str, **options: t.Any) -> None:
        self._middleware_app = _ASGIApp()
        AbstractApp.__init__(self, import_name, **options)
