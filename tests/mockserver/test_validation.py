import asyncio
import typing as t

import jsonschema_rs
import pytest
from connexion.datastructures import MediaTypeDict
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.timestamps import unsupported
from mockserver.validation import (
    _RFC3339,
    FORMATS,
    CompiledRequestBodyValidator,
    CompiledResponseBodyValidator,
    compiled_validator_map,
    to_json_schema,
)


def test_nullable_admits_null_in_type_and_enum():
    schema = to_json_schema({"type": "string", "enum": ["a"], "nullable": True}, "request")
    assert jsonschema_rs.Draft4Validator(schema).is_valid(None)
    assert not jsonschema_rs.Draft4Validator(to_json_schema({"type": "string"}, "request")).is_valid(None)


def test_read_only_is_not_required_in_requests_and_write_only_not_in_responses():
    schema = {
        "type": "object",
        "required": ["id", "secret"],
        "properties": {"id": {"type": "integer", "readOnly": True}, "secret": {"type": "string", "writeOnly": True}},
    }
    assert to_json_schema(schema, "request")["required"] == ["secret"]
    assert to_json_schema(schema, "response")["required"] == ["id"]


def test_conversion_reaches_nested_schemas():
    schema = {
        "type": "array",
        "items": {"allOf": [{"type": "object", "properties": {"a": {"type": "integer", "nullable": True}}}]},
    }
    converted = to_json_schema(schema, "request")
    assert converted["items"]["allOf"][0]["properties"]["a"]["type"] == ["integer", "null"]


def test_the_map_keeps_connexion_media_types_and_is_a_media_type_dict():
    # A plain dict would make connexion skip validation silently (it looks media types up by range).
    validator_map = compiled_validator_map()
    assert isinstance(validator_map["body"], MediaTypeDict)
    assert validator_map["body"]["application/json"] is CompiledRequestBodyValidator
    assert validator_map["body"]["application/vnd.oracle.adf.resourceitem+json"] is CompiledRequestBodyValidator
    assert "multipart/form-data" in validator_map["body"]
    assert validator_map["response"]["application/json"] is CompiledResponseBodyValidator
    assert "text/plain" in validator_map["response"]


def test_parameters_are_checked_like_connexion_does():
    from mockserver.validation import CompiledParameterValidator

    param = {"name": "accountId", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
    check = CompiledParameterValidator.validate_parameter
    assert check("path", 5, param) is None
    assert "accountId" in check("path", 0, param)
    assert check("path", None, param) == "Missing path parameter 'accountId'"
    optional = {"name": "tenant", "in": "query", "schema": {"type": "string", "nullable": True}}
    assert check("query", None, optional) is None


def _two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda number: f"{number:02d}")


_date_times = st.builds(
    lambda year, month, day, separator, hour, minute, second, fraction, offset: (
        f"{year}-{month}-{day}{separator}{hour}:{minute}:{second}{fraction}{offset}"
    ),
    st.sampled_from(["0000", "0001", "0002", "1970", "2024", "2026", "9998", "9999"])
    | st.integers(0, 9999).map(lambda year: f"{year:04d}"),
    _two(0, 13),
    _two(0, 32),
    st.sampled_from(["T", "t", " "]),
    _two(0, 24),
    _two(0, 60),
    _two(0, 61),
    st.sampled_from(["", ".5", ".123456", ".1234567890"]),
    st.sampled_from(["Z", "z", "+00:00", "-00:00"])
    | st.builds("{}{}:{}".format, st.sampled_from("+-"), _two(0, 24), _two(0, 59)),
)


@settings(max_examples=800, deadline=None)
@given(_date_times)
def test_the_date_time_format_agrees_with_the_full_check(text):
    """The format check skips parsing a date-time far from what the mock cannot hold; it answers as parsing does."""
    fully_checked = _RFC3339["date-time"].is_valid(text) and unsupported(text) is None
    assert FORMATS["date-time"](text) == fully_checked


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("2026-11-20T08:30:00Z", True),
        ("2026-06-30T23:59:60Z", False),  # a leap second
        ("0001-01-01T00:00:00+01:00", False),  # before year 1 in UTC
        ("0002-01-01T00:00:00+23:59", True),
        ("9999-12-31T23:00:00-01:00", False),  # after year 9999 in UTC
        ("9998-12-31T23:59:59-23:59", True),
        ("2026-02-30T00:00:00Z", False),
    ],
)
def test_date_times_near_what_the_mock_cannot_hold(text, held):
    assert FORMATS["date-time"](text) is held


_PARAMETERS = [
    {"name": "account-id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 50}},
    {"name": "flag", "in": "query", "schema": {"type": "boolean", "nullable": True}},
    {"name": "X-Trace", "in": "header", "required": True, "schema": {"type": "string", "maxLength": 4}},
    {"name": "session", "in": "cookie", "schema": {"type": "string", "enum": ["a", "b"]}},
]


class _Request:
    """What connexion's parameter checks read of a request."""

    def __init__(self, query: dict, path: dict, headers: dict, cookies: dict) -> None:
        self.query_params, self.path_params, self.headers, self.cookies = query, path, headers, cookies


_requests = st.builds(
    _Request,
    st.fixed_dictionaries(
        {}, optional={"limit": st.sampled_from([3, 50, 51, "x"]), "flag": st.sampled_from([True, None, "null", 3])}
    ),
    st.fixed_dictionaries({}, optional={"account_id": st.sampled_from([1, 0, "x", None])}),
    st.fixed_dictionaries({}, optional={"X-Trace": st.sampled_from(["t", "toolong", " null "])}),
    st.fixed_dictionaries({}, optional={"session": st.sampled_from(["a", "c", "None"])}),
)


def _compiled_and_looped_outcomes(parameters: list[dict], request: object) -> tuple[str | None, str | None]:
    """What the compiled validator and connexion's loop (over the same schema checks) make of ``request``."""
    from connexion.validators import ParameterValidator

    from mockserver.validation import CompiledParameterValidator

    def outcome(validator: ParameterValidator) -> str | None:
        try:
            validator.validate_request(request)
        except Exception as problem:
            return f"{type(problem).__name__}: {problem}"
        return None

    looped = ParameterValidator(parameters, uri_parser=None)
    looped.validate_parameter = CompiledParameterValidator.validate_parameter  # the same schema checks, looped
    return outcome(CompiledParameterValidator(parameters, uri_parser=None)), outcome(looped)


@given(_requests)
def test_a_requests_parameters_pass_or_raise_what_connexions_loop_raises(request) -> None:
    compiled, looped = _compiled_and_looped_outcomes(_PARAMETERS, request)
    assert compiled == looped


_HEADER_PARAMETERS = [
    *_PARAMETERS,
    _PARAMETERS[3],  # listed twice, as some operations list a parameter
    {"name": "X-Opt", "in": "header", "schema": {"type": "string", "enum": ["a", "null"], "nullable": True}},
]
_raw_headers = st.lists(
    st.tuples(st.sampled_from([b"x-trace", b"x-opt", b"x-other", b"X-Trace"]), st.sampled_from([b"t", b"long", b"a"]))
)


@given(_raw_headers)
def test_headers_read_from_starlettes_headers_pass_or_raise_as_with_its_get(raw) -> None:
    """The checks read Starlette's `Headers` without its `get` (which raises and catches for a missing header)."""
    from starlette.datastructures import Headers

    request = _Request({}, {"account_id": 7}, Headers(raw=raw), {})
    compiled, looped = _compiled_and_looped_outcomes(_HEADER_PARAMETERS, request)
    assert compiled == looped


def test_parameters_that_pass_are_not_looped_over(monkeypatch) -> None:
    from mockserver.validation import CompiledParameterValidator

    looped: list[str] = []
    original = CompiledParameterValidator.validate_parameter

    def counted(where: str, value: object, param: dict, name: str | None = None) -> str | None:
        looped.append(param["name"])
        return original(where, value, param)

    monkeypatch.setattr(CompiledParameterValidator, "validate_parameter", staticmethod(counted))
    validator = CompiledParameterValidator(_PARAMETERS, uri_parser=None)
    validator.validate_request(_Request({"limit": 3}, {"account_id": 7}, {"X-Trace": "t"}, {}))
    assert looped == []
    with pytest.raises(Exception, match="maximum"):
        validator.validate_request(_Request({"limit": 51}, {"account_id": 7}, {"X-Trace": "t"}, {}))
    assert looped == ["limit"]


_DATED = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "on": {"type": "string", "format": "date", "nullable": True},
            "either": {"oneOf": [{"type": "string", "format": "date-time"}, {"type": "integer"}]},
        },
    },
}


@given(st.lists(st.fixed_dictionaries({}, optional={"at": _date_times, "either": _date_times | st.integers()})))
def test_a_body_passes_or_fails_as_with_a_held_date_time_check_of_each_date_time(items) -> None:
    from mockserver.validation import _CompiledSchemas

    full = jsonschema_rs.Draft4Validator(to_json_schema(_DATED, "request"), validate_formats=True, formats=FORMATS)
    checked = _CompiledSchemas("request").validator(_DATED)
    assert checked.is_valid(items) is full.is_valid(items)
    assert [error.message for error in checked.iter_errors(items)] == [e.message for e in full.iter_errors(items)]


def test_a_body_whose_date_times_need_no_parsing_is_checked_without_calling_back(monkeypatch) -> None:
    from mockserver import validation

    called: list[str] = []
    held = FORMATS["date-time"]

    def counting(text: str) -> bool:
        called.append(text)
        return held(text)

    monkeypatch.setitem(validation.FORMATS, "date-time", counting)
    checked = validation._CompiledSchemas("request").validator(_DATED)
    assert checked.is_valid([{"at": "2026-11-20T08:30:00Z", "either": "2026-11-20T08:30:00+01:00"}] * 50)
    assert called == []
    assert not checked.is_valid([{"at": "2026-06-30T23:59:60Z"}])  # a leap second: parsed, and refused
    assert called == ["2026-06-30T23:59:60Z"]


_BODY_CASES = [
    ([b'{"a": 1}'], b"8", False),
    ([b'{"a"', b": 1}"], b"8", False),  # a body in two messages
    ([b'{"b": 1}'], b"8", False),  # breaks the schema
    ([b"{not json"], b"9", False),
    ([b"null"], b"4", True),
    ([b"null"], b"4", False),
    ([b""], b"0", False),  # announced empty: connexion's own steps
    ([b'{"a": 1}'], None, False),  # not announced
]


@pytest.mark.parametrize(("chunks", "length", "nullable"), _BODY_CASES)
def test_a_body_is_read_checked_and_replayed_as_connexions_wrap_receive_does(chunks, length, nullable) -> None:
    from connexion.validators import AbstractRequestBodyValidator

    async def outcome(wrap: t.Any) -> tuple[object, ...]:
        sent = [
            {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1} for n, chunk in enumerate(chunks)
        ]
        sent.append({"type": "http.disconnect"})
        messages = iter(sent)

        async def receive() -> dict:
            return next(messages)

        headers = [(b"content-type", b"application/json")] + ([(b"content-length", length)] if length else [])
        scope = {"type": "http", "headers": headers}
        validator = CompiledRequestBodyValidator(
            schema={"type": "object", "required": ["a"]}, nullable=nullable, encoding="utf-8", strict_validation=False
        )
        try:
            replay, scope = await wrap(validator, receive, scope=scope)
        except Exception as problem:
            return (type(problem).__name__, str(problem))
        return [await replay() for _ in range(len(chunks) + 1)], scope

    assert asyncio.run(outcome(CompiledRequestBodyValidator.wrap_receive)) == asyncio.run(
        outcome(AbstractRequestBodyValidator.wrap_receive)
    )
