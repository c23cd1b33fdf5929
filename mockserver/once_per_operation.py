"""connexion's AsyncApp, with what it works out on every request but depends only on the operation worked out once.

Stock connexion 3.3 decorates the handler anew for each request (`AsyncOperation.fn` is a property): it builds the
parameter and response decorators, runs `inspect.signature` on the handler and builds a URI parser from the
operation's parameters, every time. Here each operation decorates its handler once, with connexion's own
decorators, and keeps the URI parser; what a request brings (its scope, body, the `operation` context) is still
read per request, exactly as connexion reads it.

Request validation likewise: stock connexion builds two URI parsers, a parameter validator, the table of media
types the operation consumes and the body's definition (a media-type table again) for every request. Here each
operation works them out once (`PlannedRequestValidation`); the body validator itself is still made per request,
as it keeps state about the request it checks.

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
from connexion.datastructures import MediaTypeDict
from connexion.decorators import StarletteDecorator
from connexion.exceptions import UnsupportedMediaTypeProblem
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.operations import AbstractOperation
from connexion.uri_parsing import AbstractURIParser
from connexion.utils import is_nullable
from starlette.types import Receive, Scope, Send

# Everything Swagger UI's router serves under an API's base path (connexion's default paths, which the mock uses).
_DOCS = re.compile(r"/ui(/|$)|/openapi\.(json|yaml)$")


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


class DocsOnlySwaggerUI(SwaggerUIMiddleware):
    """Swagger UI's router sees only requests for the docs; stock connexion routes every request through it (a
    scope copy, a context variable and a walk over every API's mount) before handing it on unchanged."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _DOCS.search(scope["path"]) is None:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class _BodyPlan(t.NamedTuple):
    validator: type | None  # None: connexion skips validation for a media type with no validator registered
    schema: dict
    nullable: bool


_NO_BODY = _BodyPlan(None, {}, False)
_PLANNED_MEDIA_TYPES = 16
"""Body plans kept per operation: the media types a client names are its own to choose (a media range in the
contract matches endlessly many), so past this many a plan is worked out per request, as connexion does."""


class PlannedRequestValidation(RequestValidationOperation):
    """connexion's `RequestValidationOperation.__call__`, step for step, with what depends only on the operation
    (and the request's media type) worked out once."""

    def __init__(self, next_app: t.Any, *, operation: AbstractOperation, **options: t.Any) -> None:
        super().__init__(next_app, operation=operation, **options)
        self._parameter_validator = self._validator_map["parameter"](
            operation.parameters,
            uri_parser=operation.uri_parser_class(operation.parameters, operation.body_definition()),
            strict_validation=self.strict_validation,
            security_query_params=self.security_query_params,
        )
        consumes = operation.consumes
        self._consumes = MediaTypeDict([(media_type.lower(), None) for media_type in consumes]) if consumes else None
        self._body_uri_parser = operation.uri_parser_class(operation.parameters, operation.body_definition())
        self._required = operation.request_body.get("required", False)
        self._plans: dict[str, _BodyPlan] = {}

    def validate_mime_type(self, mime_type: str) -> None:
        if self._consumes is not None and mime_type.lower() not in self._consumes:
            raise UnsupportedMediaTypeProblem(
                detail=f"Invalid Content-type ({mime_type}), expected {self._operation.consumes}"
            )

    def _plan(self, mime_type: str) -> _BodyPlan:
        plan = self._plans.get(mime_type)
        if plan is None:
            schema = self._operation.body_schema(mime_type)
            if not schema:
                plan = _NO_BODY
            else:
                validator = self._validator_map["body"].get(mime_type)  # type: ignore[union-attr]
                nullable = is_nullable(self._operation.body_definition(mime_type))
                plan = _BodyPlan(validator, schema, nullable)
            if len(self._plans) < _PLANNED_MEDIA_TYPES:
                self._plans[mime_type] = plan
        return plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._parameter_validator.validate(scope)
        mime_type, encoding = self.extract_content_type(scope["headers"])
        self.validate_mime_type(mime_type)
        plan = self._plan(mime_type)
        if plan.validator is not None:
            validator = plan.validator(
                schema=plan.schema,
                required=self._required,
                nullable=plan.nullable,
                encoding=encoding,
                strict_validation=self.strict_validation,
                uri_parser=self._body_uri_parser,
            )
            receive, scope = await validator.wrap_receive(receive, scope=scope)
        await self.next_app(scope, receive, send)


class _PlannedValidationApi(RequestValidationAPI):
    def make_operation(self, operation: AbstractOperation) -> RequestValidationOperation:
        return PlannedRequestValidation(
            self.next_app,
            operation=operation,
            strict_validation=self.strict_validation,
            validator_map=self.validator_map,
        )


class PlannedRequestValidationMiddleware(RequestValidationMiddleware):
    api_cls = _PlannedValidationApi


_REPLACED: dict[type, type] = {
    SwaggerUIMiddleware: DocsOnlySwaggerUI,
    RequestValidationMiddleware: PlannedRequestValidationMiddleware,
}
MIDDLEWARES = [_REPLACED.get(middleware, middleware) for middleware in ConnexionMiddleware.default_middlewares]


class OnceDecoratedApp(AsyncApp):
    """`connexion.AsyncApp`, taking the same arguments; its middlewares default to connexion's, with
    `DocsOnlySwaggerUI` in Swagger UI's place and `PlannedRequestValidationMiddleware` in request validation's."""

    def __init__(self, import_name: str, **options: t.Any) -> None:
        self._middleware_app = _ASGIApp()
        options.setdefault("middlewares", MIDDLEWARES)
        AbstractApp.__init__(self, import_name, **options)
