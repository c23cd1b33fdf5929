"""The system under test, over HTTP: one client per API with its credential, and seeding when it has `/__admin`."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import httpx
import pytest

from conformance import masking
from conformance.bounded_http import RateLimit, bounded_client, retry_after_seconds
from conformance.contracts import Contract
from conformance.run_limits import RunLimits

__all__ = ["ApiClient", "Objects", "RateLimit", "Target", "answers_admin", "auth_headers", "probe"]


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


def probe(base_url: str, timeout: float, *, ca_bundle: str | None = None) -> str | None:
    """Why the target cannot be reached, or None when it answers at all (any status will do). Bounded as every
    request is: a target that drips its answer is unreachable after ``timeout`` seconds in all."""
    try:
        with bounded_client(timeout, ca_bundle=ca_bundle) as http:
            http.get(base_url)
    except httpx.HTTPError as error:
        return masking.clean(str(error) or type(error).__name__)
    return None


def answers_admin(base_url: str, timeout: float, *, ca_bundle: str | None = None) -> bool:
    """Whether ``base_url`` is a mock of ours (it answers /__admin/health)."""
    try:
        with bounded_client(timeout, ca_bundle=ca_bundle) as http:
            return http.get(base_url.rstrip("/") + "/__admin/health").status_code == 200
    except httpx.HTTPError:
        return False


RETRIES_ON_429 = 3


def retry_after(response: httpx.Response) -> float | None:
    """Seconds a 429 asks to wait (Retry-After, either form), bounded; None when it does not say."""
    if response.status_code != 429:
        return None
    return retry_after_seconds(response.headers.get("retry-after"))


class ApiClient:
    """Requests to one API: paths relative to its base path, the credential's header added; a 429 with
    Retry-After is waited out and retried, a few times, never past the run's budget or an interrupt."""

    def __init__(
        self, http: httpx.Client, contract: Contract, credential: str | None, limits: RunLimits | None = None
    ) -> None:
        self._http = http
        self.contract = contract
        self.credential = credential
        self.headers = auth_headers(contract, credential) if credential else {}
        self._limits = limits or RunLimits()

    def request(self, method: str, path: str, *, authenticated: bool = True, **kwargs: Any) -> httpx.Response:
        headers = {**(self.headers if authenticated else {}), **kwargs.pop("headers", {})}
        for _ in range(RETRIES_ON_429):
            self._limits.check()
            response = self._http.request(method, self.contract.base_path + path, headers=headers, **kwargs)
            wait = retry_after(response)
            if wait is None:
                return response
            self._limits.pause(wait)
        self._limits.check()
        return self._http.request(method, self.contract.base_path + path, headers=headers, **kwargs)


@dataclass(frozen=True)
class Objects:
    """The existing objects a scenario uses, by the names its module declares in OBJECTS."""

    api: str
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        if key not in self.values:
            pytest.skip(f"missing targets key apis.{self.api}.objects.{key}")
        return self.values[key]


class Target:
    def __init__(
        self,
        base_url: str,
        credentials: dict[str, str],
        timeout: float,
        *,
        base_urls: dict[str, str] | None = None,
        objects: dict[str, dict[str, Any]] | None = None,
        hooks: dict[str, list[Any]] | None = None,
        limits: RunLimits | None = None,
        ca_bundle: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._credentials = credentials
        self._base_urls = {api: url.rstrip("/") for api, url in (base_urls or {}).items()}
        self._objects = objects or {}
        self._timeout = timeout
        self._hooks = hooks or {}
        self._limits = limits or RunLimits()
        self._ca_bundle = ca_bundle
        self._http = self._client(self.base_url)
        self._by_url: dict[str, httpx.Client] = {self.base_url: self._http}

    def _client(self, base_url: str) -> httpx.Client:
        return bounded_client(self._timeout, ca_bundle=self._ca_bundle, base_url=base_url, event_hooks=self._hooks)

    def base_url_for(self, api: str) -> str:
        return self._base_urls.get(api, self.base_url)

    def named(self, api: str, key: str) -> Any:
        """An object the targets file names for ``api``; the scenario is skipped, saying which, when it does not."""
        objects = self._objects.get(api, {})
        if key not in objects:
            pytest.skip(f"missing targets key apis.{api}.objects.{key}")
        return objects[key]

    @cached_property
    def has_admin(self) -> bool:
        """Whether the target is a mock of ours, which lets scenarios seed their own data."""
        return answers_admin(self.base_url, self._timeout, ca_bundle=self._ca_bundle)

    def credential_for(self, api: str) -> str | None:
        return self._credentials.get(api)

    def client(self, contract: Contract, credential: str | None) -> ApiClient:
        url = self.base_url_for(contract.api)
        if url not in self._by_url:
            self._by_url[url] = self._client(url)
        return ApiClient(self._by_url[url], contract, credential, self._limits)

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

    @contextmanager
    def clock_frozen(self) -> Iterator[None]:
        """The mock's clock stopped for the duration (what happens "at once" happens at one instant), then back
        to real time."""
        now = self._http.get("/__admin/clock").raise_for_status().json()["now"]
        self._http.put("/__admin/clock", json={"mode": "frozen", "at": now}).raise_for_status()
        try:
            yield
        finally:
            self._http.put("/__admin/clock", json={"mode": "real"}).raise_for_status()

    def scenario_client(
        self, contract: Contract, section: dict[str, Any], defaults: dict[str, Any]
    ) -> tuple[ApiClient, Objects]:
        """Our mock: a fresh tenant seeded with ``section``, whose objects are ``defaults``. A real target: the
        configured credential and the objects its targets file names (a missing one skips the scenario)."""
        if self.has_admin:
            return self.client(contract, self.seed(contract.api, section)), Objects(contract.api, defaults)
        credential = self.credential_for(contract.api)
        if credential is None:
            pytest.skip(f"no credential for {contract.api}: give one in the targets file or with --credential")
        return self.client(contract, credential), Objects(contract.api, self._objects.get(contract.api, {}))

    def reset(self, tenant: str) -> None:
        """Our mock: ``tenant`` back to the dataset it is seeded from (it is seeded again at its next request)."""
        self._http.post("/__admin/reset", params={"tenant": tenant}).raise_for_status()

    def state(self, api: str, credential: str) -> dict[str, Any]:
        response = self._http.get("/__admin/state", params={"tenant": credential})
        response.raise_for_status()
        return response.json()[api]

    def close(self) -> None:
        for http in self._by_url.values():
            http.close()
