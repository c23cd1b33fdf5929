"""An operation's layers run as one function answer as stock connexion's layers do, without its app's decorators."""

from __future__ import annotations

import typing as t

import pytest
from connexion.apps.asynchronous import AsyncOperation
from connexion.resolver import Resolver
from connexion.security import ApiKeySecurityHandler
from starlette.testclient import TestClient

from mockserver.auth import bound_handler
from mockserver.once_per_operation import OnceDecoratedApp

_OK = {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}}
_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "lane", "version": "1"},
    "components": {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"}}},
    "paths": {
        "/things/{thingId}": {
            "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": "read",
                "security": [{"key": []}],
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 25, "maximum": 50}},
                    {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "X-Trace", "in": "header", "required": True, "schema": {"type": "string"}},
                ],
                "responses": _OK,
            },
            "patch": {
                "operationId": "amend",
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"type": "object", "required": ["a"]}},
                        "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
                    }
                },
                "responses": _OK,
            },
            "delete": {
                "operationId": "remove",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"properties": {"broken": {"type": "string"}}}}},
                    }
                },
            },
        }
    },
}


async def read(thingId: int, limit: int, user: str, tags: list[str] | None = None) -> dict:
    return {"thingId": thingId, "limit": limit, "tags": tags, "user": user}


async def amend(thingId: int, context_: dict) -> tuple[dict, int, dict[str, str]]:
    return {"thingId": thingId, "context": sorted(context_)}, 200, {"X-Amended": "yes"}


def remove(thingId: int) -> dict:  # not a coroutine function: connexion runs it in its thread pool
    return {"thingId": thingId, "broken": True} if thingId == 13 else {"thingId": thingId}


def _security(api_key: str, required_scopes: t.Any = None) -> dict | None:
    return {"sub": f"user-{api_key}"} if api_key.startswith("k") else None


_HANDLERS = {"read": read, "amend": amend, "remove": remove}


def _client(plan_once: bool) -> TestClient:
    app = OnceDecoratedApp(__name__, plan_once=plan_once)
    app.add_api(
        _SPEC,
        resolver=Resolver(function_resolver=lambda operation_id: _HANDLERS[operation_id]),
        security_map={"apiKey": bound_handler(ApiKeySecurityHandler, _security)},
        validate_responses=True,
    )
    return TestClient(app, raise_server_exceptions=False)


_TRACED = {"X-Key": "k1", "X-Trace": "t"}
_REQUESTS: list[tuple[str, str, dict[str, t.Any]]] = [
    ("GET", "/things/7", {"headers": _TRACED}),
    ("GET", "/things/7?limit=3&tags=a&tags=b&unknown=1", {"headers": _TRACED}),
    ("GET", "/things/7?limit=99", {"headers": _TRACED}),  # a query parameter breaks its schema
    ("GET", "/things/7", {"headers": {"X-Key": "k1"}}),  # a required header missing
    ("GET", "/things/7", {"headers": {"X-Key": "bad", "X-Trace": "t"}}),  # refused credential
    ("GET", "/things/7", {"headers": {"X-Trace": "t"}}),  # no credential
    ("PATCH", "/things/7", {"json": {"a": 1}}),
    ("PATCH", "/things/7", {"json": {"b": 1}}),  # the body breaks its schema
    ("PATCH", "/things/7", {"data": {"a": "1"}}),  # a form: connexion's parameter decorator reads it
    ("PATCH", "/things/7", {"content": b"a=1", "headers": {"Content-Type": "text/plain"}}),
    ("DELETE", "/things/7", {}),
    ("DELETE", "/things/13", {}),  # the answer breaks the contract
]


@pytest.fixture
def apps_entered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations whose app (connexion's decorators around the handler) was entered."""
    entered: list[str] = []
    original = AsyncOperation.__call__

    async def counting(self, scope, receive, send):  # type: ignore[no-untyped-def]
        entered.append(self.operation_id)
        return await original(self, scope, receive, send)

    monkeypatch.setattr(AsyncOperation, "__call__", counting)
    return entered


def test_every_answer_is_stock_connexions(apps_entered: list[str]) -> None:
    with _client(True) as lane, _client(False) as stock:
        statuses = set()
        for method, path, sent in _REQUESTS:
            expected = stock.request(method, path, **sent)
            answered = lane.request(method, path, **sent)
            assert (answered.status_code, sorted(answered.headers.items()), answered.content) == (
                expected.status_code,
                sorted(expected.headers.items()),
                expected.content,
            ), (method, path, answered.text, expected.text)
            statuses.add(expected.status_code)
    assert {200, 400, 401, 415, 500} <= statuses, statuses


def test_the_lane_runs_the_handler_without_its_apps_decorators(apps_entered: list[str]) -> None:
    with _client(True) as client:
        for method, path, sent in _REQUESTS[:2] + _REQUESTS[6:7] + _REQUESTS[10:11]:
            assert client.request(method, path, **sent).status_code == 200
        assert apps_entered == []
        assert client.patch("/things/7", data={"a": "1"}).status_code == 200
        assert apps_entered == ["amend"]  # a form goes to the app, whose parameter decorator reads it


def test_path_parameters_are_kept_only_for_short_paths() -> None:
    from mockserver.flat_lane import _KEPT_PATH_BYTES, _path_key

    short = {"path": "/meterReadings/1", "path_params": {"id": "1"}}
    long = {"path": "/meterReadings/" + "9" * _KEPT_PATH_BYTES, "path_params": {"id": "9" * _KEPT_PATH_BYTES}}
    assert _path_key(short) == (("id", "1"),)
    assert _path_key(long) is None
