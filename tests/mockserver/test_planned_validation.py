"""Request and response validation plan what depends only on the operation once, and still check every request
and answer."""

from __future__ import annotations

import gc

import connexion.utils
import pytest
from connexion.operations import OpenAPIOperation
from connexion.uri_parsing import AbstractURIParser
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.planned_validation import _PLANNED_MEDIA_TYPES, PlannedRequestValidation, content_type_of
from mockserver.validation import CompiledParameterValidator

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


def test_checking_an_answer_again_looks_nothing_up_in_the_contract(monkeypatch: pytest.MonkeyPatch, tenant: str):
    """Stock connexion looks up the response definition (twice), the schema and the produced media types for every
    answer; the planned check does so once per operation, status and media type, and still refuses a bad answer."""
    looked_up: list[str] = []
    for name in ("response_definition", "response_schema"):
        original = getattr(OpenAPIOperation, name)

        def counting(self, *args, _original=original, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            looked_up.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(OpenAPIOperation, name, counting)
    headers = {"Authorization": f"Bearer {tenant}"}
    with TestClient(build_app()) as client:
        assert client.patch(OVERIT_BATCH, headers=headers, json=[{"id": 3101, "value": 4.2}]).status_code == 200
        assert looked_up
        looked_up.clear()
        for value in (4.3, 4.4):
            assert client.patch(OVERIT_BATCH, headers=headers, json=[{"id": 3101, "value": value}]).status_code == 200
    assert looked_up == []


def test_the_planned_checks_read_the_content_type_without_connexions_helper(
    monkeypatch: pytest.MonkeyPatch, tenant: str
) -> None:
    """connexion's `extract_content_type` builds a typing alias on every call; request and response validation, and
    the response decorator (`planned_responses.py`), read the content type (with the same result) without it."""
    called: list[object] = []
    original = connexion.utils.extract_content_type

    def counting(headers):  # type: ignore[no-untyped-def]
        called.append(headers)
        return original(headers)

    monkeypatch.setattr(connexion.utils, "extract_content_type", counting)
    headers = {"Authorization": f"Bearer {tenant}"}
    with TestClient(build_app()) as client:
        answer = client.patch(OVERIT_BATCH, headers=headers, json=[{"id": 3101, "value": 4.2}])
        assert answer.status_code == 200
        called.clear()
        wrong = client.patch(
            OVERIT_BATCH, headers={**headers, "Content-Type": "text/plain; charset=latin-1"}, content=b"[]"
        )
        assert wrong.status_code == 415
        assert client.patch(OVERIT_BATCH, headers=headers, json=[{"id": 3101, "value": 4.3}]).status_code == 200
    assert called == []


@pytest.mark.parametrize(
    "headers",
    [
        [],
        [(b"Content-Type", b"application/json")],
        [(b"content-type", b"text/plain; charset=latin-1; q=1"), (b"content-type", b"application/json")],
        [(b"x-other", b"1"), (b"CONTENT-TYPE", b"application/vnd.x+json;charset=utf-16")],
        [(b"CONTENT-TYP\xc9", b"text/plain"), (b"content-type\xa0", b"text/html"), (b"Content-Type", b"\xe9")],
        {"Content-Type": "application/json"},
        {"x": "y"},
    ],
)
def test_the_content_type_is_read_as_connexion_reads_it(headers: object) -> None:
    assert content_type_of(headers) == connexion.utils.extract_content_type(headers)


def test_a_media_type_matches_the_operations_ranges_as_connexion_matches_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import connexion.datastructures

    from mockserver.planned_validation import _MediaRanges

    named = ["application/json", "application/*+json", "Text/*"]
    stock = connexion.datastructures.MediaTypeDict([(media_type.lower(), None) for media_type in named])
    ranges = _MediaRanges(named)
    asked = ["application/json", "application/vnd.x+json", "text/csv", "image/png", "application/xml", "text/*"]
    for media_type in asked:
        assert (media_type in ranges) is (media_type in stock), media_type
    matched: list[str] = []
    original = connexion.datastructures.fnmatch
    monkeypatch.setattr(
        connexion.datastructures, "fnmatch", lambda name, pattern: matched.append(name) or original(name, pattern)
    )
    for media_type in asked:
        media_type in ranges  # noqa: B015 - only whether it is matched again counts here
    assert matched == []
    for number in range(40):
        assert f"image/x-{number}" not in ranges
    assert len(ranges._matches) <= 16
