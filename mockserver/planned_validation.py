"""connexion's request and response validation, with what depends only on the operation worked out once.

Stock connexion builds two URI parsers, a parameter validator, the table of media types the operation consumes and
the body's definition (a media-type table again) for every request, and the table of media types it produces, the
response definition and the required headers for every answer. Here each operation works them out once; the body
validators themselves are still made per request and answer, as they keep state about the body they check.

Each step is also callable on its own (`validated`, `validating`), for `routed_once.py`, which runs the operation's
layers without handing the request down the stack."""

from __future__ import annotations

import logging
import typing as t

from connexion.datastructures import MediaTypeDict
from connexion.exceptions import NonConformingResponseHeaders, UnsupportedMediaTypeProblem
from connexion.lifecycle import ConnexionRequest
from connexion.middleware.request_validation import (
    RequestValidationAPI,
    RequestValidationMiddleware,
    RequestValidationOperation,
)
from connexion.middleware.response_validation import (
    ResponseValidationAPI,
    ResponseValidationMiddleware,
    ResponseValidationOperation,
)
from connexion.operations import AbstractOperation
from connexion.uri_parsing import AbstractURIParser
from connexion.utils import is_nullable, split_content_type
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from mockserver.validation import CompiledResponseBodyValidator, answer_checked, answer_parsed

# What connexion's parameter validator logs when it starts on a request (at debug level).
_parameter_log = logging.getLogger("connexion.validators.parameter")


def content_type_of(headers: t.Any) -> str | None:
    """`connexion.utils.extract_content_type`, step for step, without the typing alias it builds on every call (a
    tenth of a small GET's time: it runs for the request and again for the answer)."""
    pairs = headers.items() if isinstance(headers, dict) else headers
    for key, value in pairs:
        # A raw name is compared as bytes: no byte decodes (as Latin-1) to a letter whose lower case is ASCII but its
        # own lower case, so the name matches exactly when its decoded lower case does.
        if (key.lower() == b"content-type") if isinstance(key, bytes) else (key.lower() == "content-type"):
            return value.decode("latin-1") if isinstance(value, bytes) else value
    return None


def _mime_type_and_encoding(headers: t.Any, fallbacks: list[str]) -> tuple[str, str]:
    """What connexion's validation middlewares' `extract_content_type` answers: the media type (the operation's
    first one, or octet-stream, when none is given) and the charset (UTF-8 when none is given)."""
    return _split(content_type_of(headers), fallbacks)


def _split(content_type: str | None, fallbacks: list[str]) -> tuple[str, str]:
    mime_type, encoding = split_content_type(content_type)
    if mime_type is None:
        mime_type = fallbacks[0] if fallbacks else "application/octet-stream"
    return mime_type, encoding or "utf-8"


_UNREAD = object()


class _BodyPlan(t.NamedTuple):
    validator: type | None  # None: connexion skips validation for a media type with no validator registered
    schema: dict
    nullable: bool


_NO_BODY = _BodyPlan(None, {}, False)
_PLANNED_MEDIA_TYPES = 16
"""Body plans kept per operation: the media types a client names are its own to choose (a media range in the
contract matches endlessly many), so past this many a plan is worked out per request, as connexion does."""


class _MediaRanges:
    """The media types (or ranges) an operation names, matched as connexion matches them (`MediaTypeDict`: a sort
    and an fnmatch per range, per request); whether a media type matches is remembered, for a bounded number."""

    def __init__(self, media_types: list[str]) -> None:
        self._ranges = MediaTypeDict([(media_type.lower(), None) for media_type in media_types])
        self._matches: dict[str, bool] = {}

    def __contains__(self, media_type: str) -> bool:
        matches = self._matches.get(media_type)
        if matches is None:
            matches = media_type in self._ranges
            if len(self._matches) < _PLANNED_MEDIA_TYPES:
                self._matches[media_type] = matches
        return matches


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
        self._consumes = _MediaRanges(consumes) if consumes else None
        self._body_uri_parser = operation.uri_parser_class(operation.parameters, operation.body_definition())
        self._required = operation.request_body.get("required", False)
        self._plans: dict[str, _BodyPlan] = {}
        self._accepted: dict[str | None, tuple[_BodyPlan, str]] = {}
        """Content-Types (as sent) the operation accepts, with their body plan and charset: a bounded number."""

    def extract_content_type(self, headers: list[tuple[bytes, bytes]]) -> tuple[str, str]:
        return _mime_type_and_encoding(headers, self._operation.consumes)

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
        scope, receive = await self.validated(scope, receive)
        await self.next_app(scope, receive, send)

    @property
    def uri_parser(self) -> AbstractURIParser:
        """The parser of the operation's parameters the checks read them with (connexion's, built once)."""
        return self._parameter_validator.uri_parser

    async def validated(
        self, scope: Scope, receive: Receive, request: ConnexionRequest | None = None, content_type: t.Any = _UNREAD
    ) -> tuple[Scope, Receive]:
        """The request checked against the operation (or the problem raised), and what is handed on after it.
        ``request``: the request on ``scope`` with `uri_parser`, when the caller has made it already;
        ``content_type``: `content_type_of` the request's headers, when the caller has read it already."""
        if request is None:
            self._parameter_validator.validate(scope)
        else:
            _parameter_log.debug("%s validating parameters...", scope.get("path"))
            self._parameter_validator.validate_request(request)
        if content_type is _UNREAD:
            content_type = content_type_of(scope["headers"])
        accepted = self._accepted.get(content_type)
        if accepted is None:
            mime_type, encoding = _split(content_type, self._operation.consumes)
            self.validate_mime_type(mime_type)
            accepted = (self._plan(mime_type), encoding)
            if len(self._accepted) < _PLANNED_MEDIA_TYPES:
                self._accepted[content_type] = accepted
        plan, encoding = accepted
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
        return scope, receive


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


class _AnswerPlan(t.NamedTuple):
    required_headers: frozenset[str]
    validator: type | None  # None: connexion skips a media type with no validator registered
    schema: dict
    nullable: bool


_PLANNED_ANSWERS = 64

# Answers whose `__call__` is Starlette's own: the start of the answer, then its whole body in one message.
_WHOLE = (Response, JSONResponse)


class PlannedResponseValidation(ResponseValidationOperation):
    """connexion's `ResponseValidationOperation.__call__`, step for step, with what depends only on the operation,
    the answer's status and its media type worked out once: the media types it produces, the response definition,
    the required headers, the validator and the schema."""

    def __init__(self, next_app: t.Any, *, operation: AbstractOperation, **options: t.Any) -> None:
        super().__init__(next_app, operation=operation, **options)
        produces = operation.produces
        self._produces = _MediaRanges(produces) if produces else None
        self._plans: dict[tuple[str, str], _AnswerPlan] = {}
        self._started_plans: dict[tuple[int, str | None], tuple[_AnswerPlan, str]] = {}
        """Statuses and Content-Types (as sent) the operation answers with, their plan and charset: a bounded number."""

    def extract_content_type(self, headers: list[tuple[bytes, bytes]]) -> tuple[str, str]:
        return _mime_type_and_encoding(headers, self._operation.produces)

    def validate_mime_type(self, mime_type: str) -> None:
        if self._produces is not None and mime_type.lower() not in self._produces:
            raise NonConformingResponseHeaders(
                detail=f"Invalid Response Content-type ({mime_type}), expected {self._operation.produces}",
            )

    def _plan(self, status: str, mime_type: str) -> _AnswerPlan:
        plan = self._plans.get((status, mime_type))
        if plan is None:
            definition = self._operation.response_definition(status, mime_type)
            required = frozenset(
                name.lower() for name, header in definition.get("headers", {}).items() if header.get("required", False)
            )
            try:
                validator = self._validator_map["response"][mime_type]  # type: ignore[index]
            except KeyError:
                validator = None
            plan = _AnswerPlan(
                required, validator, self._operation.response_schema(status, mime_type), is_nullable(definition)
            )
            if len(self._plans) < _PLANNED_MEDIA_TYPES:
                self._plans[(status, mime_type)] = plan
        return plan

    def _started(self, status: int, headers: list[tuple[bytes, bytes]]) -> tuple[_AnswerPlan, str]:
        """An answer's status and headers checked (or the problem raised); the plan for its body, and its charset."""
        content_type = content_type_of(headers)
        known = self._started_plans.get((status, content_type))
        if known is None:
            mime_type, encoding = _split(content_type, self._operation.produces)
            if status < 400:
                self.validate_mime_type(mime_type)
            known = (self._plan(str(status), mime_type), encoding)
            if len(self._started_plans) < _PLANNED_ANSWERS:
                self._started_plans[(status, content_type)] = known
        plan, encoding = known
        if plan.required_headers:
            missing = plan.required_headers - {name.decode("latin-1").lower() for name, _ in headers}
            if missing:
                raise NonConformingResponseHeaders(
                    detail="Keys in response header don't match response specification. Difference: "
                    + ", ".join(missing)
                )
        return plan, encoding

    def validating(self, scope: Scope, send: Send) -> Send:
        """``send``, with the answer checked against the operation before it goes out."""

        async def wrapped_send(message: t.MutableMapping[str, t.Any]) -> None:
            nonlocal send
            if message["type"] == "http.response.start":
                plan, encoding = self._started(message["status"], message["headers"])
                if plan.validator is CompiledResponseBodyValidator:
                    send = _checked_before_sending(send, plan.schema, plan.nullable)
                elif plan.validator is not None:
                    validator = plan.validator(scope, schema=plan.schema, nullable=plan.nullable, encoding=encoding)
                    send = validator.wrap_send(send)
            await send(message)

        return wrapped_send

    async def send_checked(self, response: Response, scope: Scope, receive: Receive, send: Send) -> None:
        """``response(scope, receive, validating(scope, send))``, for an HTTP request: what that sends and raises, in
        the same order, without the two wrappers and the held messages for a body checked whole anyway."""
        if type(response) not in _WHOLE:
            await response(scope, receive, self.validating(scope, send))
            return
        status, headers, body = response.status_code, response.raw_headers, response.body
        plan, encoding = self._started(status, headers)
        start = {"type": "http.response.start", "status": status, "headers": headers}
        if plan.validator is CompiledResponseBodyValidator:
            parsed = answer_parsed(body if type(body) is bytes else b"".join((body,)))
            if not (parsed is None and plan.nullable):
                answer_checked(plan.schema, parsed)
        elif plan.validator is not None:
            validator = plan.validator(scope, schema=plan.schema, nullable=plan.nullable, encoding=encoding)
            send = validator.wrap_send(send)
        await send(start)
        await send({"type": "http.response.body", "body": body})
        if response.background is not None:
            await response.background()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.next_app(scope, receive, self.validating(scope, send))


def _checked_before_sending(send: Send, schema: dict, nullable: bool) -> Send:
    """What `CompiledResponseBodyValidator.wrap_send` does, without a validator object and generator per answer:
    the answer is held until its last part, its whole body checked, then sent."""
    held: list[t.MutableMapping[str, t.Any]] = []

    async def checked_send(message: t.MutableMapping[str, t.Any]) -> None:
        held.append(message)
        if message["type"] == "http.response.start" or message.get("more_body", False):
            return
        body = answer_parsed(b"".join(part.get("body", b"") for part in held))
        if not (body is None and nullable):
            answer_checked(schema, body)
        for part in held:
            await send(part)
        held.clear()

    return checked_send


class _PlannedResponseValidationApi(ResponseValidationAPI):
    def make_operation(self, operation: AbstractOperation) -> t.Any:
        if not self.validate_responses:
            return self.next_app
        return PlannedResponseValidation(self.next_app, operation=operation, validator_map=self.validator_map)


class PlannedResponseValidationMiddleware(ResponseValidationMiddleware):
    api_cls = _PlannedResponseValidationApi
