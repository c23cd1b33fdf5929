"""What connexion works out from the operation alone is worked out once, not on every request."""

from __future__ import annotations

import base64
import inspect

import pytest
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from starlette.testclient import TestClient

from mockserver.app import build_app

ORACLE = "/fscmRestApi/resources/11.13.18.05/meterReadings"


def _basic(user: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:x".encode()).decode()}


@pytest.fixture
def counted_signatures(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every `inspect.signature` call: connexion asked it for the handler's and the verify function's parameters."""
    calls: list[object] = []
    original = inspect.signature

    def counting(function: object, *args: object, **kwargs: object) -> inspect.Signature:
        calls.append(function)
        return original(function, *args, **kwargs)

    monkeypatch.setattr(inspect, "signature", counting)
    return calls


def test_serving_a_request_again_inspects_no_signature(counted_signatures: list[object], tenant: str) -> None:
    with TestClient(build_app()) as client:
        first = client.get(f"{ORACLE}/300100141425958", headers=_basic(tenant))
        assert first.status_code in (200, 404), first.text
        before = len(counted_signatures)
        for _ in range(3):
            again = client.get(f"{ORACLE}/300100141425958", headers=_basic(tenant))
            assert again.status_code == first.status_code
    assert counted_signatures[before:] == []


def test_handlers_still_get_their_parameters_and_the_tenant(tenant: str) -> None:
    """The handler decorated once still receives each request's own path parameter, query and tenant."""
    with TestClient(build_app()) as client:
        listed = client.get(ORACLE, params={"limit": 2}, headers=_basic(tenant)).json()
        ids = [item["MeterReadingId"] for item in listed["items"]]
        assert len(ids) == 2
        for reading_id in ids:
            one = client.get(f"{ORACLE}/{reading_id}", params={"fields": "MeterReadingId"}, headers=_basic(tenant))
            assert one.status_code == 200 and one.json()["MeterReadingId"] == reading_id
        other = client.get(f"{ORACLE}/{ids[0]}", headers=_basic(f"{tenant}-other"))
        assert other.status_code == 200  # another tenant, seeded with the same demo data
        assert client.get(f"{ORACLE}/{ids[0]}").status_code == 401


def test_only_requests_for_the_docs_pass_through_swagger_uis_router(monkeypatch: pytest.MonkeyPatch, tenant: str):
    """Stock connexion walks Swagger UI's router for every request and hands the rest on from its default."""
    handed_on: list[str] = []
    original = SwaggerUIMiddleware.default_fn

    async def counting(self, scope, receive, send):
        handed_on.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(SwaggerUIMiddleware, "default_fn", counting)
    with TestClient(build_app()) as client:
        assert client.get(f"{ORACLE}?limit=1", headers=_basic(tenant)).status_code == 200
        assert client.get("/nowhere").status_code == 404
        for docs in ("/fscmRestApi/resources/11.13.18.05/ui/", "/api/openapi.json", "/__admin/ui/"):
            assert client.get(docs).status_code == 200, docs
        assert client.get("/v1/openapi.yaml").status_code == 200
        redirect = client.get("/assets/r1/ui", follow_redirects=False)
        assert redirect.status_code == 307 and redirect.headers["location"].endswith("/assets/r1/ui/")
        assert client.get("/v1/ui/swagger-ui.css").status_code == 200
    assert handed_on == []
