"""The system under test, over HTTP: one client per API with its credential, and seeding when it has `/__admin`."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import httpx
import pytest

from conformance.contracts import Contract


def auth_headers(contract: Contract, credential: str) -> dict[str, str]:
    """The header that carries ``credential`` under the contract's (first) security scheme."""
    for scheme in contract.security_schemes.values():
        if scheme["type"] == "http" and scheme["scheme"].lower() == "bearer":
            return {"Authorization": f"Bearer {credential}"}
        if scheme["type"] == "http" and scheme["scheme"].lower() == "basic":
            user_and_password = credential if ":" in credential else f"{credential}:password"
            return {"Authorization": "Basic " + base64.b64encode(user_and_password.encode()).decode()}
        if scheme["type"] == "apiKey" and scheme["in"] == "header":
            return {scheme["name"]: credential}
    return {}


def probe(base_url: str, timeout: float) -> str | None:
    """Why the target cannot be reached, or None when it answers at all (any status will do)."""
    try:
        httpx.get(base_url, timeout=timeout)
    except httpx.HTTPError as error:
        return str(error) or type(error).__name__
    return None


class ApiClient:
    """Requests to one API: paths relative to its base path, the credential's header added."""

    def __init__(self, http: httpx.Client, contract: Contract, credential: str | None) -> None:
        self._http = http
        self.contract = contract
        self.credential = credential
        self.headers = auth_headers(contract, credential) if credential else {}

    def request(self, method: str, path: str, *, authenticated: bool = True, **kwargs: Any) -> httpx.Response:
        headers = {**(self.headers if authenticated else {}), **kwargs.pop("headers", {})}
        return self._http.request(method, self.contract.base_path + path, headers=headers, **kwargs)


class Target:
    def __init__(self, base_url: str, credentials: dict[str, str], timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._credentials = credentials
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)

    @cached_property
    def has_admin(self) -> bool:
        """Whether the target is a mock of ours, which lets scenarios seed their own data."""
        try:
            return self._http.get("/__admin/health").status_code == 200
        except httpx.HTTPError:
            return False

    def credential_for(self, api: str) -> str | None:
        return self._credentials.get(api)

    def client(self, contract: Contract, credential: str | None) -> ApiClient:
        return ApiClient(self._http, contract, credential)

    def seed(self, api: str, section: dict[str, Any]) -> str:
        """Load ``section`` for a fresh tenant and return the credential that names it."""
        tenant = f"conformance-{uuid.uuid4().hex}"
        response = self._http.post("/__admin/fixtures", params={"tenant": tenant}, json={api: section})
        response.raise_for_status()
        return tenant

    @contextmanager
    def clock_moved(self, seconds: float) -> Iterator[None]:
        """The mock's clock moved ``seconds`` ahead for the duration, then back to real time."""
        self._http.put("/__admin/clock", json={"advanceSeconds": seconds}).raise_for_status()
        try:
            yield
        finally:
            self._http.put("/__admin/clock", json={"mode": "real"}).raise_for_status()

    def seeded_client(self, contract: Contract, section: dict[str, Any]) -> ApiClient:
        """A client for a fresh tenant holding ``section``; scenarios that need seeded data skip without /__admin."""
        if not self.has_admin:
            pytest.skip("scenario data must be seeded: the target has no /__admin (targets files come later)")
        return self.client(contract, self.seed(contract.api, section))

    def state(self, api: str, credential: str) -> dict[str, Any]:
        response = self._http.get("/__admin/state", params={"tenant": credential})
        response.raise_for_status()
        return response.json()[api]

    def close(self) -> None:
        self._http.close()
