"""The response decorator finds an answer's media type as connexion's does, reading the operation once."""

from __future__ import annotations

import datetime
import itertools
import typing as t
import uuid
from types import SimpleNamespace

import pytest
from connexion.context import _operation
from connexion.decorators.response import BaseResponseDecorator
from connexion.frameworks.starlette import Starlette
from connexion.jsonifier import Jsonifier

from mockserver.planned_responses import PlannedResponses

_PRODUCES = [
    [],
    ["application/json"],
    ["application/vnd.oracle.adf.resourceitem+json"],
    ["application/json", "text/plain"],
    ["application/json", "application/octet-stream"],
    ["application/json", "application/problem+json"],
]
_DATA: list[t.Any] = [None, {"a": 1}, "text", b"bytes", iter([b"x"])]
_HEADERS: list[dict[str, str]] = [
    {},
    {"Content-Type": "application/json"},
    {"content-type": "text/plain"},
    {"CONTENT-TYPE": "application/xml"},
    {"X-Other": "1"},
]


def _outcome(infer: t.Callable[[t.Any, dict], str | None], data: t.Any, headers: dict) -> str | None:
    try:
        return infer(data, headers)
    except Exception as problem:
        return f"{type(problem).__name__}: {problem}"


@pytest.mark.parametrize("produces", _PRODUCES, ids=lambda produces: ",".join(produces) or "none")
def test_the_media_type_is_the_one_connexion_infers(produces: list[str]) -> None:
    operation = SimpleNamespace(produces=produces)
    planned = PlannedResponses(framework=Starlette, jsonifier=Jsonifier(), operation=operation)  # type: ignore[arg-type]
    token = _operation.set(operation)
    try:
        for data, headers in itertools.product(_DATA, _HEADERS):
            expected = _outcome(BaseResponseDecorator._infer_content_type, data, headers)
            assert _outcome(planned._infer_content_type, data, headers) == expected, (data, headers)
    finally:
        _operation.reset(token)


def test_the_operation_is_read_when_planned_not_per_answer() -> None:
    reads: list[str] = []

    class Operation:
        @property
        def produces(self) -> list[str]:
            reads.append("produces")
            return ["application/json"]

    planned = PlannedResponses(framework=Starlette, jsonifier=Jsonifier(), operation=Operation())  # type: ignore[arg-type]
    planned_reads = len(reads)
    for _ in range(3):
        assert planned._infer_content_type({"a": 1}, {}) == "application/json"
    assert len(reads) == planned_reads


_ANSWERS: list[t.Any] = [
    {"a": 1, "b": [1.5, None, True], "c": "é ✓ \u2028", "d": {"nested": []}},
    [datetime.datetime(2026, 11, 20, 8, 30, tzinfo=datetime.UTC), datetime.date(2026, 1, 2), uuid.UUID(int=7)],
    {1: "int key", "nan": float("nan"), "big": 10**30},
    "a string",
]


@pytest.mark.parametrize("jsonifier", [Jsonifier(), Jsonifier(sort_keys=True, indent=2), Jsonifier(ensure_ascii=False)])
def test_an_answer_is_serialized_as_the_jsonifier_serializes_it(jsonifier: Jsonifier) -> None:
    """The decorator encodes every answer with one encoder; the text is the jsonifier's own, a failure likewise."""
    planned = PlannedResponses(framework=Starlette, jsonifier=jsonifier, operation=SimpleNamespace(produces=[]))
    for data in [*_ANSWERS, {"unknown": object()}]:
        try:
            expected: object = jsonifier.dumps(data)
        except TypeError as error:
            expected = str(error)
        try:
            answered: object = planned._serialize_data(data, content_type="application/json")
        except TypeError as error:
            answered = str(error)
        assert answered == expected
