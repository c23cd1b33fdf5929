"""Handlers get the keyword arguments stock connexion gives them, worked out from a plan made once per operation."""

from __future__ import annotations

import typing as t

import connexion.decorators.parameter
import pytest
from connexion.resolver import Resolver
from starlette.testclient import TestClient

from mockserver.once_per_operation import OnceDecoratedApp

_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "arguments", "version": "1"},
    "paths": {
        "/things/{thingId}": {
            "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": "read",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 25}},
                    {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "on-date", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "flag", "in": "query", "schema": {"type": "boolean", "nullable": True}},
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            },
            "put": {
                "operationId": "replace",
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"type": "object"}},
                        "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                    }
                },
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            },
            "patch": {
                "operationId": "amend",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {}}}}},
            },
        }
    },
}


async def read(thingId: int, limit: int, tags: list[str] | None = None, flag: bool | None = None, **_: t.Any):
    return {"thingId": thingId, "limit": limit, "tags": tags, "flag": flag}


async def replace(thingId: int, body: dict) -> dict:
    return {"thingId": thingId, "body": body}


async def amend(thingId: int, context_: dict) -> dict:
    return {"thingId": thingId, "context": sorted(context_)}


async def read_strictly(thingId: int, limit: int, on_date: str | None = None) -> dict:
    return {"thingId": thingId, "limit": limit, "on_date": on_date}


def _client(plan_once: bool, handlers: dict[str, t.Callable]) -> TestClient:
    app = OnceDecoratedApp(__name__, plan_once=plan_once)
    app.add_api(_SPEC, resolver=Resolver(function_resolver=lambda operation_id: handlers[operation_id]))
    return TestClient(app)


_HANDLERS = {"read": read, "replace": replace, "amend": amend}
_REQUESTS: list[tuple[str, str, dict[str, t.Any]]] = [
    ("GET", "/things/7", {}),
    ("GET", "/things/7?limit=3&tags=a&tags=b&flag=null&unknown=1", {}),
    ("GET", "/things/7?limit=3&limit=4&flag=true", {}),
    ("PUT", "/things/7", {"json": {"a": 1}}),
    ("PUT", "/things/7", {"data": {"a": "1"}}),
    ("PATCH", "/things/7", {"json": {"a": 1}}),
]


@pytest.mark.parametrize("handlers", [_HANDLERS, {**_HANDLERS, "read": read_strictly}], ids=["kwargs", "named"])
def test_handlers_get_what_stock_connexion_gives_them(handlers: dict[str, t.Callable]) -> None:
    with _client(True, handlers) as planned, _client(False, handlers) as stock:
        for method, path, sent in _REQUESTS:
            expected = stock.request(method, path, **sent)
            answered = planned.request(method, path, **sent)
            assert (answered.status_code, answered.json()) == (expected.status_code, expected.json()), (method, path)
            assert expected.status_code == 200, expected.text


def test_a_planned_operation_asks_connexion_for_no_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stock connexion works the arguments out from the operation on every request (`get_arguments`); a planned
    operation only where the plan does not cover the request: a handler taking the body, a form."""
    asked: list[str] = []
    original = connexion.decorators.parameter.get_arguments

    def counting(operation, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(operation.operation_id)
        return original(operation, **kwargs)

    monkeypatch.setattr(connexion.decorators.parameter, "get_arguments", counting)
    with _client(True, {**_HANDLERS, "read": read_strictly}) as planned:
        for method, path, sent in _REQUESTS:
            assert planned.request(method, path, **sent).status_code == 200
    assert asked == ["replace", "replace"]


def test_a_name_is_sanitized_once_not_on_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    sanitized: list[str] = []
    original = connexion.decorators.parameter.sanitized

    def counting(name: str) -> str:
        sanitized.append(name)
        return original(name)

    monkeypatch.setattr(connexion.decorators.parameter, "sanitized", counting)
    with _client(True, {**_HANDLERS, "read": read_strictly}) as planned:
        assert planned.get("/things/7?limit=3&tags=a").status_code == 200
        assert sanitized
        sanitized.clear()
        for _ in range(2):
            assert planned.get("/things/8?limit=3&tags=a").status_code == 200
    assert sanitized == []
