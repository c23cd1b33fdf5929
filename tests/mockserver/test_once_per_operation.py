"""What connexion works out from the operation alone is worked out once, not on every request."""

from __future__ import annotations

import base64
import gc
import inspect

import pytest
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.uri_parsing import AbstractURIParser
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.once_per_operation import _PLANNED_MEDIA_TYPES, PlannedRequestValidation
from mockserver.validation import CompiledParameterValidator

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


OVERIT_BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"


@pytest.fixture
def constructions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every URI parser and parameter validator built: stock connexion built two and one for every request."""
    built: list[str] = []
    for cls in (AbstractURIParser, CompiledParameterValidator):
        original = cls.__init__

        def counting(self, *args, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            built.append(type(self).__name__)
            _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "__init__", counting)
    return built


def test_validating_a_request_again_builds_no_parser_or_validator(constructions: list[str], tenant: str) -> None:
    headers = {"Authorization": f"Bearer {tenant}"}
    with TestClient(build_app()) as client:
        assert client.patch(OVERIT_BATCH, headers=headers, json=[{"id": 3101, "value": 4.2}]).status_code == 200
        before = len(constructions)
        assert client.patch(OVERIT_BATCH, headers=headers, json=[{"id": 3101, "value": 4.3}]).status_code == 200
        refused = client.patch(OVERIT_BATCH, headers=headers, json=[{"id": 3101, "value": "high"}])
        assert refused.status_code == 400 and refused.json()["code"] == "BASE_0001", refused.text
        wrong_type = client.patch(OVERIT_BATCH, headers={**headers, "Content-Type": "text/plain"}, content=b"[]")
        assert wrong_type.status_code == 415
        assert client.patch(f"{OVERIT_BATCH[:-6]}x/batch", headers=headers, json=[]).status_code == 404
    assert constructions[before:] == []


def _any_json_media_type(api_id: str, spec: dict) -> dict:
    if api_id == "overit":
        content = spec["paths"]["/accounts/{accountId}/measuring-elements/{measuringElementId}/measures/batch"]
        body = content["patch"]["requestBody"]["content"]
        body["*/*json"] = body.pop("application/json")
    return spec


def test_a_contracts_media_range_is_validated_for_every_type_it_matches_and_plans_stay_bounded(tenant: str) -> None:
    """A client names as many media types as it likes within a range: each is still checked, and an operation
    keeps plans for a bounded number of them."""
    headers = {"Authorization": f"Bearer {tenant}"}
    with TestClient(build_app(transform_spec=_any_json_media_type)) as client:
        for n in range(3 * _PLANNED_MEDIA_TYPES):
            typed = {**headers, "Content-Type": f"application/vnd.n{n}+json"}
            good = client.patch(OVERIT_BATCH, headers=typed, content=b'[{"id": 3101, "value": 4.2}]')
            assert good.status_code == 200, (n, good.text)
            bad = client.patch(OVERIT_BATCH, headers=typed, content=b'[{"id": 3101, "value": "high"}]')
            assert bad.status_code == 400 and bad.json()["code"] == "BASE_0001", (n, bad.text)
    planned = [o for o in gc.get_objects() if isinstance(o, PlannedRequestValidation) and o._plans]
    assert planned and max(len(operation._plans) for operation in planned) <= _PLANNED_MEDIA_TYPES
