"""A request routed once runs its operation's connexion layers without being handed down the stack, and is answered
exactly as when it is handed down."""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.request_validation import RequestValidationMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.resolver import Resolver
from starlette.routing import Route
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.once_per_operation import OnceDecoratedApp, middlewares
from mockserver.planned_validation import PlannedRequestValidationMiddleware, PlannedResponseValidationMiddleware
from mockserver.settings import Settings

OVERIT_BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"
ORACLE = "/fscmRestApi/resources/11.13.18.05/meterReadings"
ENERGYCAP_CHANNEL = "/api/v202101/meter/501/channel/10001"
TESMA = "/v1/leases/assets"
READING = 300100141425002  # in the demo data


def _basic(user: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:x".encode()).decode()


def _requests(tenant: str) -> list[tuple[str, str, dict[str, str], Any]]:
    """Answers of every kind: 2xx from each API, and each refusal connexion's layers or the rules give."""
    overit = {"Authorization": f"Bearer {tenant}"}
    oracle = {"Authorization": _basic(tenant)}
    energycap = {"ECI-ApiKey": tenant}
    tesma = {"X-API-KEY": tenant, "CorporateGroup-Name": "ACME"}
    return [
        ("PATCH", OVERIT_BATCH, overit, [{"id": 3101, "value": 4.2}]),
        ("PATCH", OVERIT_BATCH, overit, [{"id": 3101, "value": "high"}]),  # body breaks the schema
        ("PATCH", OVERIT_BATCH, {}, [{"id": 3101, "value": 4.2}]),  # no credential
        ("PATCH", OVERIT_BATCH, {**overit, "Content-Type": "text/plain"}, "[]"),  # media type
        ("PATCH", OVERIT_BATCH, overit, b"[{"),  # malformed JSON
        ("PATCH", OVERIT_BATCH.replace("1001", "x"), overit, []),  # path parameter not an integer: no route
        ("GET", OVERIT_BATCH, overit, None),  # 405
        ("PATCH", OVERIT_BATCH, overit, [{"id": 999999, "value": 1}]),  # a rule refuses
        ("GET", f"{ORACLE}/{READING}", oracle, None),
        ("GET", f"{ORACLE}/987654", oracle, None),  # 404 from the handler
        ("GET", f"{ORACLE}/{READING}?onlyData=maybe", oracle, None),  # query parameter breaks its schema
        ("GET", f"{ORACLE}/{READING}?fields=Nope", oracle, None),
        ("GET", f"{ORACLE}/{READING}", {**oracle, "Accept": "text/csv"}, None),  # 406
        ("GET", f"{ORACLE}?limit=2&orderBy=MeterReadingId:desc", oracle, None),
        ("GET", f"{ORACLE}?limit=-1", oracle, None),
        ("GET", f"{ORACLE}/{READING}", {"Authorization": "Basic !!!"}, None),
        ("GET", ENERGYCAP_CHANNEL, energycap, None),
        ("GET", ENERGYCAP_CHANNEL, {}, None),
        ("PATCH", TESMA, tesma, [{"assetId": 111, "serialNumber": "abc123"}]),
        ("PATCH", TESMA, {"X-API-KEY": tenant}, [{"assetId": 111}]),  # a required header missing
        ("GET", f"{TESMA}/bulkpatches/1", tesma, None),
        ("GET", "/nowhere", {}, None),
        ("GET", "/assets/r1/openapi.json", {}, None),
        ("GET", "/assets/r1/ui", {}, None),  # Swagger UI's redirect
        ("GET", "/__admin/health", {}, None),
        ("PUT", "/__admin/clock", {}, {"mode": "sideways"}),
    ]


def _answer(client: TestClient, method: str, path: str, headers: dict[str, str], body: Any) -> tuple:
    sent: dict[str, Any] = {"headers": headers, "follow_redirects": False}
    if isinstance(body, (bytes, str)):
        sent["content"] = body
    elif body is not None:
        sent["json"] = body
    response = client.request(method, path, **sent)
    content = _TRACE_ID.sub(b'"traceId":"-"', response.content)  # tesma's errors carry a fresh trace id each
    return response.status_code, sorted(response.headers.items()), content


_TRACE_ID = re.compile(rb'"traceId":"[^"]*"')


@pytest.fixture
def both_ways() -> Iterator[tuple[TestClient, TestClient]]:
    """Two mocks, one routing once and one handing each request down the stack, on the same frozen clock."""
    apps = [build_app(Settings(plan_once=routed_once)) for routed_once in (True, False)]
    clients = [TestClient(app) for app in apps]
    for client in clients:
        client.put("/__admin/clock", json={"mode": "frozen", "at": "2026-05-01T12:00:00Z"}).raise_for_status()
    yield clients[0], clients[1]
    for client, app in zip(clients, apps, strict=True):
        client.close()
        app.runtime.store.dispose()


def test_every_kind_of_answer_is_the_same_routed_once_or_handed_down(both_ways, tenant: str) -> None:
    once, handed_down = both_ways
    statuses = set()
    for method, path, headers, body in _requests(tenant):
        expected = _answer(handed_down, method, path, headers, body)
        assert _answer(once, method, path, headers, body) == expected, (method, path)
        statuses.add(expected[0])
    assert {200, 202, 307, 400, 401, 404, 405, 406, 415} <= statuses, statuses  # the table covers what it claims


@pytest.fixture
def layers_entered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    entered: list[str] = []
    for layer in (RoutingMiddleware, SecurityMiddleware, RequestValidationMiddleware, ContextMiddleware):
        original = layer.__call__

        async def counting(self, scope, receive, send, _original=original, _name=layer.__name__):  # type: ignore[no-untyped-def]
            if scope["type"] == "http":
                entered.append(_name)
            await _original(self, scope, receive, send)

        monkeypatch.setattr(layer, "__call__", counting)
    return entered


@pytest.mark.parametrize("routed_once", [True, False])
def test_an_operation_is_routed_once_and_its_layers_run_without_the_stack(
    layers_entered: list[str], tenant: str, routed_once: bool
) -> None:
    with TestClient(build_app(Settings(plan_once=routed_once))) as client:
        good = client.get(f"{ORACLE}/{READING}", headers={"Authorization": _basic(tenant)})
        refused = client.get(f"{ORACLE}/{READING}?onlyData=maybe", headers={"Authorization": _basic(tenant)})
        assert (good.status_code, refused.status_code) == (200, 400)
        on_operations, layers_entered[:] = list(layers_entered), []
        assert client.get("/nowhere").status_code == 404
    if routed_once:
        assert on_operations == []
    else:
        entered_by_good = [
            "RoutingMiddleware",
            "SecurityMiddleware",
            "RequestValidationMiddleware",
            "ContextMiddleware",
        ]
        assert on_operations == entered_by_good + entered_by_good[:3]  # the refused one stops at validation
    assert layers_entered[:1] == [
        "RoutingMiddleware"
    ]  # what routing would not hand to an operation goes down the stack


def _require_a_header(answer: dict) -> None:
    answer["headers"] = {"X-Never-Sent": {"required": True, "schema": {"type": "string"}}}


def _require_a_member(answer: dict) -> None:
    schema = answer["content"]["application/vnd.oracle.adf.resourceitem+json"]["schema"]
    answer["content"]["application/vnd.oracle.adf.resourceitem+json"]["schema"] = {
        "allOf": [schema, {"required": ["X-Never-Sent"]}]
    }


@pytest.mark.parametrize("breaking", [_require_a_header, _require_a_member], ids=["header", "body"])
def test_an_answer_that_breaks_the_contract_is_refused_the_same_both_ways(tenant: str, breaking) -> None:
    def broken(api_id: str, spec: dict) -> dict:
        spec = copy.deepcopy(spec)
        if api_id == "oracle":
            breaking(spec["paths"]["/meterReadings/{MeterReadingId}"]["get"]["responses"]["200"])
        return spec

    answers = []
    for plan_once in (True, False):
        with TestClient(build_app(Settings(plan_once=plan_once), transform_spec=broken)) as client:
            answers.append(_answer(client, "GET", f"{ORACLE}/{READING}", {"Authorization": _basic(tenant)}, None))
    assert answers[0] == answers[1]
    assert answers[0][0] == 500 and b"x-never-sent" in answers[0][2].lower(), answers[0]


_TINY_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "tiny", "version": "1"},
    "paths": {
        "/things/{thingId}": {
            "get": {
                "operationId": "get_thing",
                "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "the thing", "content": {"application/json": {"schema": {}}}}},
            }
        }
    },
}


async def _get_thing(thingId: int) -> dict[str, int]:
    return {"thingId": thingId}


@pytest.mark.parametrize("stock", [False, True], ids=["planned validation", "stock validation"])
def test_a_stack_other_than_the_mocks_takes_every_request_down_it(layers_entered: list[str], stock: bool) -> None:
    """Where connexion's stock validation middlewares are in the list, the planned steps are not there to run."""
    chosen = middlewares()
    if stock:
        chosen = [_STOCK.get(entry, entry) for entry in chosen]
    app = OnceDecoratedApp(__name__, middlewares=chosen)
    app.add_api(_TINY_SPEC, resolver=Resolver(function_resolver=lambda operation_id: _get_thing))
    with TestClient(app) as client:
        assert client.get("/things/7").json() == {"thingId": 7}
        assert bool(layers_entered) is stock
        assert client.get("/things/x").status_code == 404


_STOCK = {
    PlannedRequestValidationMiddleware: RequestValidationMiddleware,
    PlannedResponseValidationMiddleware: ResponseValidationMiddleware,
}


def test_a_path_seen_again_is_not_matched_again_and_matches_stay_bounded(
    monkeypatch: pytest.MonkeyPatch, tenant: str
) -> None:
    import mockserver.routed_once as routed_once

    matched: list[str] = []
    original = Route.matches

    def counting(self, scope):  # type: ignore[no-untyped-def]
        matched.append(scope["path"])
        return original(self, scope)

    monkeypatch.setattr(Route, "matches", counting)
    monkeypatch.setattr(routed_once, "_MATCHES_KEPT", 3)
    layers: list[routed_once.RoutedOnce] = []
    planning = routed_once.RoutedOnce._plan_layers

    def kept(self: routed_once.RoutedOnce) -> None:
        layers.append(self)
        planning(self)

    monkeypatch.setattr(routed_once.RoutedOnce, "_plan_layers", kept)
    headers = {"Authorization": _basic(tenant)}
    with TestClient(build_app()) as client:
        first = client.get(f"{ORACLE}/{READING}", headers=headers)
        seen = len(matched)
        again = client.get(f"{ORACLE}/{READING}", headers=headers)
        assert (first.status_code, again.content) == (200, first.content)
        assert len(matched) == seen
        other = client.get(f"{ORACLE}/987654", headers=headers)  # another id is matched: its own path params
        assert other.status_code == 404 and len(matched) > seen
        for reading in range(1, 5):
            client.get(f"{ORACLE}/{reading}", headers=headers)
        assert 0 < sum(len(layer._matched) for layer in layers) <= 3
        matched.clear()
        assert client.get(f"{ORACLE}/{READING}", headers=headers).content == first.content
        assert matched  # forgotten past the bound: matched anew
