"""Spec-first validation at compiled speed: connexion's body validators backed by jsonschema-rs.

connexion builds a pure-Python jsonschema validator for every request and response; here each schema is
converted from OpenAPI 3.0 to JSON Schema Draft 4 and compiled once, keyed by the identity of the schema
object connexion hands over (the same object on every request). Bodies are parsed with orjson, which
refuses bodies that are not UTF-8 and the non-JSON literals NaN/Infinity with a 400 instead of a 500.
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

import jsonschema_rs
import orjson
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import BadRequestProblem, NonConformingResponseBody
from connexion.utils import is_null, is_nullable
from connexion.validators import (
    VALIDATOR_MAP,
    JSONRequestBodyValidator,
    JSONResponseBodyValidator,
    ParameterValidator,
)
from starlette.datastructures import Headers
from starlette.types import Receive, Scope

from mockserver.timestamps import unsupported
from mockserver.worker_threads import LARGE_BODY_BYTES, run_blocking

Direction = t.Literal["request", "response"]

_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_VALUES = ("items", "not", "additionalProperties")


@dataclass(frozen=True)
class SchemaError:
    """One way a body breaks its schema: the JSON Schema keyword, where in the body, and why."""

    keyword: str
    path: tuple[str | int, ...]
    message: str


class ContractViolation(BadRequestProblem):
    """A request body that breaks the contract; each API renders it in its vendor's error format."""

    def __init__(self, errors: list[SchemaError]) -> None:
        self.errors = errors
        super().__init__(detail="; ".join(_describe(error) for error in errors))


def _describe(error: SchemaError) -> str:
    where = "/".join(str(part) for part in error.path)
    return f"{error.message} (at /{where})" if where else error.message


def to_json_schema(schema: t.Any, direction: Direction) -> t.Any:
    """OpenAPI 3.0 Schema Object -> Draft 4: `nullable`, and readOnly / writeOnly in `required`."""
    if isinstance(schema, list):
        return [to_json_schema(item, direction) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: value for key, value in schema.items() if key not in ("example", "nullable")}
    if schema.get("nullable") is True:
        if "type" in schema:
            converted["type"] = [schema["type"], "null"]
        if "enum" in schema and None not in schema["enum"]:
            converted["enum"] = [*schema["enum"], None]
    properties = schema.get("properties")
    if isinstance(properties, dict):
        converted["properties"] = {name: to_json_schema(sub, direction) for name, sub in properties.items()}
        hidden = "readOnly" if direction == "request" else "writeOnly"
        if "required" in schema:
            converted["required"] = [name for name in schema["required"] if not properties.get(name, {}).get(hidden)]
            if not converted["required"]:
                del converted["required"]  # Draft 4 forbids an empty `required`
    for key in _SCHEMA_LISTS:
        if key in schema:
            converted[key] = [to_json_schema(sub, direction) for sub in schema[key]]
    for key in _SCHEMA_VALUES:
        if isinstance(schema.get(key), dict):
            converted[key] = to_json_schema(schema[key], direction)
    return converted


class _CompiledSchemas:
    """Compiled validators keyed by schema identity; the schema is kept alive so its id stays unique."""

    def __init__(self, direction: Direction) -> None:
        self._direction = direction
        self._compiled: dict[int, tuple[dict, Validator]] = {}

    def validator(self, schema: dict) -> Validator:
        entry = self._compiled.get(id(schema))
        if entry is None or entry[0] is not schema:
            converted = to_json_schema(schema, self._direction)
            compiled: Validator = jsonschema_rs.Draft4Validator(converted, validate_formats=True, formats=FORMATS)
            quick = _without_held_date_time_calls(converted)
            if quick is not converted:
                compiled = _QuickFirst(
                    jsonschema_rs.Draft4Validator(quick, validate_formats=True, formats=_DATE_ONLY), compiled
                )
            entry = (schema, compiled)
            self._compiled[id(schema)] = entry
        return entry[1]


class _QuickFirst:
    """A schema's validator, asked first whether a body passes without calling back into Python for each date-time:
    every body ``quick`` passes, the full validator passes too; one it refuses is asked of the full validator."""

    def __init__(self, quick: jsonschema_rs.Draft4Validator, full: jsonschema_rs.Draft4Validator) -> None:
        self._quick = quick
        self._full = full
        self.iter_errors = full.iter_errors

    def is_valid(self, instance: t.Any) -> bool:
        return self._quick.is_valid(instance) or self._full.is_valid(instance)


Validator = jsonschema_rs.Draft4Validator | _QuickFirst

# A date-time `_held_date_time` accepts only after parsing it: years 0000, 0001 and 9999, or a leap second.
_NEEDS_PARSING = "^(000[01]|9999)|^.{17}60"


def _without_held_date_time_calls(schema: t.Any) -> t.Any:
    """``schema`` with each `format: date-time` checked by jsonschema-rs's own RFC 3339 check (the one
    `_held_date_time` asks first) and refusing what `_held_date_time` would go on to parse; ``schema`` itself when
    it names no date-time."""
    if isinstance(schema, list):
        items = [_without_held_date_time_calls(item) for item in schema]
        return schema if all(new is old for new, old in zip(items, schema, strict=True)) else items
    if not isinstance(schema, dict):
        return schema
    changed = {key: _without_held_date_time_calls(value) for key, value in schema.items()}
    if all(changed[key] is schema[key] for key in schema) and schema.get("format") != "date-time":
        return schema
    if schema.get("format") == "date-time":
        return {"allOf": [changed, {"not": {"pattern": _NEEDS_PARSING}}]}
    return changed


_RFC3339 = {
    name: jsonschema_rs.Draft4Validator({"format": name}, validate_formats=True) for name in ("date", "date-time")
}


def _held_date_time(text: str) -> bool:
    """An RFC 3339 date-time the mock can hold. Parsing is needed only near what it cannot: a leap second, and years
    0000, 0001 and 9999, where an offset may push the instant out of range; a batch checks this for every item."""
    if not _RFC3339["date-time"].is_valid(text):
        return False
    if "0002" <= text[:4] <= "9998" and text[17:19] != "60":
        return True
    return unsupported(text) is None


# RFC 3339 as jsonschema-rs reads it, and also a date the mock can hold: Python has no leap second, no year 0000.
FORMATS = {
    "date": lambda text: _RFC3339["date"].is_valid(text) and unsupported(text, date_only=True) is None,
    "date-time": _held_date_time,
}
_DATE_ONLY = {"date": FORMATS["date"]}


def _date_refusal(instance: t.Any) -> str | None:
    """Why a well-formed RFC 3339 date is refused (a leap second, year 0000), to say more than that it is."""
    if isinstance(instance, str):
        for name in ("date-time", "date"):
            if _RFC3339[name].is_valid(instance):
                return unsupported(instance, date_only=name == "date")
    return None


_request_schemas = _CompiledSchemas("request")
_response_schemas = _CompiledSchemas("response")


_MAX_MESSAGE = 240
_MAX_ERRORS = 20


def _short(message: str) -> str:
    # jsonschema-rs quotes the offending instance first (a huge string, a whole batch); keep the
    # start of it and the sentence's end, which says what was wrong.
    if len(message) <= _MAX_MESSAGE:
        return message
    return message[:60] + " ... " + message[-(_MAX_MESSAGE - 65) :]


def schema_errors(validator: jsonschema_rs.Draft4Validator, body: t.Any) -> list[SchemaError]:
    if validator.is_valid(body):  # almost every body: no error objects built, no loop in Python
        return []
    errors = []
    for error in validator.iter_errors(body):
        keyword = str(error.schema_path[-1]) if error.schema_path else ""
        message = error.message
        if keyword in ("format", "anyOf", "oneOf"):
            message = _date_refusal(error.instance) or message
        errors.append(SchemaError(keyword=keyword, path=tuple(error.instance_path), message=_short(message)))
        if len(errors) == _MAX_ERRORS:
            break
    return errors


VALIDATED_BODY = "validated_body"


class CompiledRequestBodyValidator(JSONRequestBodyValidator):
    """Also hands the parsed body to the handler: connexion passes every entry of its request context as a
    keyword argument, so a handler that takes ``validated_body`` (instead of ``body``) spares connexion
    parsing the same JSON a second time with the standard library."""

    _checked = False

    async def wrap_receive(self, receive: Receive, *, scope: Scope) -> tuple[Receive, Scope]:
        """connexion's `wrap_receive`, for a request announcing a body: its messages read, the body parsed and
        checked, the messages replayed; without the `Headers` object, stream generator and its comprehension."""
        if not _announced_length(scope["headers"]):  # no body announced: connexion's own steps (a default body)
            return await super().wrap_receive(receive, scope=scope)
        messages = []
        more_body = True
        while more_body:
            message = await receive()
            messages.append(message)
            more_body = message.get("more_body", False)
        body = await self._parsed_body(b"".join([message.get("body", b"") for message in messages]), scope)
        if not (body is None and self._nullable):
            self._validate(body)
        return self._insert_messages(receive, messages=messages), scope

    async def _parse(self, stream: t.AsyncGenerator[bytes, None], scope: Scope) -> t.Any:
        return await self._parsed_body(b"".join([chunk async for chunk in stream]), scope)

    async def _parsed_body(self, raw: bytes, scope: Scope) -> t.Any:
        if not raw:
            return None
        if len(raw) >= LARGE_BODY_BYTES:  # parsed and checked in a worker thread; connexion's check then skips
            body = await run_blocking(self._parsed_and_checked, raw)
            self._checked = True
        else:
            body = _parsed(raw)
        scope.setdefault("extensions", {}).setdefault("connexion_context", {})[VALIDATED_BODY] = body
        return body

    def _parsed_and_checked(self, raw: bytes) -> t.Any:
        body = _parsed(raw)
        if not (body is None and self._nullable):
            self._check(body)
        return body

    def _validate(self, body: t.Any) -> dict | None:
        if not self._checked:
            self._check(body)
        return None

    def _check(self, body: t.Any) -> None:
        if body is None and not self._nullable:
            raise ContractViolation([SchemaError("required", (), "Request body must not be empty")])
        errors = schema_errors(_request_schemas.validator(self._schema), body)
        if errors:
            raise ContractViolation(errors)


def _announced_length(headers: list[tuple[bytes, bytes]]) -> int:
    """``int(Headers(scope=scope).get("content-length", 0))``, as connexion reads it: the first copy, or 0."""
    for name, value in headers:
        if name == b"content-length":
            return int(value.decode("latin-1"))
    return 0


def _parsed(raw: bytes) -> t.Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise ContractViolation([SchemaError("json", (), f"Malformed JSON body: {error}")]) from None


class CompiledResponseBodyValidator(JSONResponseBodyValidator):
    def _parse(self, stream: t.Generator[bytes, None, None]) -> t.Any:
        return answer_parsed(b"".join(stream))

    def _validate(self, body: t.Any) -> None:
        answer_checked(self._schema, body)


def answer_parsed(raw: bytes) -> t.Any:
    """An answer's body as `CompiledResponseBodyValidator` parses it: None when empty."""
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise NonConformingResponseBody(f"Response body is not JSON: {error}") from None


def answer_checked(schema: dict, body: t.Any) -> None:
    """An answer's parsed body checked as `CompiledResponseBodyValidator` checks it."""
    errors = schema_errors(_response_schemas.validator(schema), body)
    if errors:
        raise NonConformingResponseBody(
            "Response body does not conform to specification: " + "; ".join(_describe(error) for error in errors)
        )


class _ParameterCheck(t.NamedTuple):
    key: str
    """What the request's parameters of its kind are read by (connexion's key: a path parameter's with `_`)."""
    nullable: bool
    required: bool
    validator: jsonschema_rs.Draft4Validator
    raw_key: bytes | None
    """A header's name as Starlette's `Headers` looks it up in the raw headers (None: not Latin-1, it raises)."""


# Where connexion's checks read each kind of parameter from, in the order it checks them.
_PARAMETER_SOURCES: tuple[tuple[str, t.Callable[[t.Any], t.Any]], ...] = (
    ("query", lambda request: request.query_params),
    ("path", lambda request: request.path_params),
    ("header", lambda request: request.headers),
    ("cookie", lambda request: request.cookies),
)


def _value(values: t.Any, check: _ParameterCheck) -> t.Any:
    """``values.get(check.key)``; for Starlette's `Headers`, whose `get` raises and catches a KeyError for each header
    not sent, its own look-up (the first header of that name, decoded as Latin-1) without the exception."""
    if type(values) is Headers and check.raw_key is not None:
        for name, value in values.raw:
            if name == check.raw_key:
                return value.decode("latin-1")
        return None
    return values.get(check.key)


class CompiledParameterValidator(ParameterValidator):
    """connexion's parameter checks (nullable, required, schema) with the schema compiled once.

    Stock connexion deep-copies the parameter and builds a pure-Python validator for every parameter of
    every request. Here a request's parameters are first checked in one pass, each reading only whether it
    passes; connexion's own loop runs only when one does not, to raise the problem it raises.
    """

    def __init__(self, parameters: list[dict], uri_parser: t.Any, **options: t.Any) -> None:
        super().__init__(parameters, uri_parser, **options)
        self._passes = []
        for where, source in _PARAMETER_SOURCES:
            if self.parameters.get(where):
                checks = [
                    _ParameterCheck(
                        param["name"].replace("-", "_") if where == "path" else param["name"],
                        bool(is_nullable(param)),
                        bool(param.get("required")),
                        _request_schemas.validator(param.get("schema", param)),
                        _raw_name(param["name"]),
                    )
                    for param in _distinct(self.parameters[where])
                ]
                self._passes.append((source, checks, any(check.required for check in checks)))

    def validate_request(self, request: t.Any) -> None:
        if self.strict_validation or not self._all_pass(request):
            super().validate_request(request)

    def _all_pass(self, request: t.Any) -> bool:
        """What connexion's loop finds, as a yes or no: each value, if nullable and null, passes; else if given, it
        must match its schema; else it must not be required."""
        for source, checks, required in self._passes:
            values = source(request)
            if not required and type(values) is dict and not values:
                continue  # nothing given and nothing required: every check passes
            for check in checks:
                value = _value(values, check)
                if check.nullable and is_null(value):
                    continue
                if value is not None:
                    if not check.validator.is_valid(value):
                        return False
                elif check.required:
                    return False
        return True

    @staticmethod
    def validate_parameter(parameter_type: str, value: t.Any, param: dict, param_name: str | None = None) -> str | None:
        if is_nullable(param) and is_null(value):
            return None
        if value is not None:
            errors = schema_errors(_request_schemas.validator(param.get("schema", param)), value)
            return f"{param.get('name', param_name)}: {errors[0].message}" if errors else None
        if param.get("required"):
            return f"Missing {parameter_type} parameter '{param['name']}'"
        return None


def _raw_name(name: t.Any) -> bytes | None:
    try:
        return str(name).lower().encode("latin-1")
    except UnicodeEncodeError:
        return None


def _distinct(parameters: list[dict]) -> list[dict]:
    """Each definition once: an operation can list one parameter several times (connexion checks each copy), and
    equal definitions pass or fail alike."""
    distinct: list[dict] = []
    for parameter in parameters:
        if parameter not in distinct:
            distinct.append(parameter)
    return distinct


def compiled_validator_map() -> dict[str, t.Any]:
    """connexion's validator table with the JSON entries swapped; the other media types kept as they are."""
    body = MediaTypeDict(VALIDATOR_MAP["body"])
    body["*/*json"] = CompiledRequestBodyValidator
    response = MediaTypeDict(VALIDATOR_MAP["response"])
    response["*/*json"] = CompiledResponseBodyValidator
    return {"parameter": CompiledParameterValidator, "body": body, "response": response}
