"""One live mock for the whole hostile-input suite, served by uvicorn as `mockserver` serves it (the same
server limits), on loopback (or the one `HOSTILE_MOCK_URL` names). Tests take a fresh tenant each, so they
never see each other's writes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest

from conformance.contracts import load_contracts
from conformance.target import auth_headers
from mockserver.app import build_app
from mockserver.cli import server_config
from mockserver.settings import Settings
from tests.live_server import serve

OVERIT_BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"
ORACLE_READINGS = "/fscmRestApi/resources/11.13.18.05/meterReadings"
ENERGYCAP_IMPORT = "/api/v3/reading"
ENERGYCAP_VERSION = "/api/v202101/meter/501/channel/10001/version/2"
TESMA_PATCH = "/v1/leases/assets"

# How each vendor answers a refusal: its error media type and the member that carries its code.
ERROR_FORMATS = {
    "overit": ("application/json", "code"),
    "oracle": ("application/vnd.oracle.adf.error+json", "o:errorCode"),
    "energycap": ("application/json", "code"),
    "tesma": ("application/problem+json", "code"),
    "admin": ("application/problem+json", "title"),
}


# Headers an API needs beside its credential.
EXTRA_HEADERS = {"tesma": {"CorporateGroup-Name": "ACME"}}


def credentials(api: str, tenant: str) -> dict[str, str]:
    """The header the contract's security scheme carries ``tenant`` in (none for the admin API)."""
    contract = load_contracts().get(api)
    return {**auth_headers(contract, tenant), **EXTRA_HEADERS.get(api, {})} if contract else {}


def assert_vendor_error(api: str, response: httpx.Response, status: int | None = None) -> None:
    """A documented refusal: 4xx (the given one, if any) in the vendor's own error format."""
    media_type, code_member = ERROR_FORMATS[api]
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    if status is not None:
        assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["content-type"].split(";")[0] == media_type, response.headers
    assert code_member in response.json(), response.text[:300]


def serve_as_the_cli_does(app: Any) -> AbstractContextManager[str]:
    return serve(app, server_config(app, "127.0.0.1", 0, log_level="critical"))


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    if os.environ.get("HOSTILE_MOCK_URL"):  # a mock started elsewhere, e.g. an older build to compare with
        yield os.environ["HOSTILE_MOCK_URL"]
        return
    with serve_as_the_cli_does(build_app(Settings())) as url:
        yield url


@pytest.fixture
def http(mock_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=mock_url, timeout=30) as client:
        yield client


@pytest.fixture
def healthy(http: httpx.Client) -> Iterator[None]:
    """After the test, the mock still answers its health check at once."""
    yield
    assert http.get("/__admin/health", timeout=5).status_code == 200
