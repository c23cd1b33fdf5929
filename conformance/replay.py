"""How evidence names a credential so that a curl line replays without ever showing it: a shell variable named
after the API, `$<API>_CREDENTIAL`, the same name `conformance init-targets` writes into a targets file."""

from __future__ import annotations

import base64
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from conformance.contracts import Contract


def credential_variable(api: str) -> str:
    return f"{api.upper()}_CREDENTIAL"


def credential_header(contract: Contract) -> tuple[str, str] | None:
    """The header carrying the credential under the contract's first security scheme, its value a variable."""
    variable = "$" + credential_variable(contract.api)
    for scheme in contract.security_schemes.values():
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":
            return "Authorization", f"Bearer {variable}"
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "basic":
            return None  # curl's -u, below
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            return scheme["name"], variable
    return None


def credential_placeholder(contract: Contract) -> list[str]:
    """curl arguments that send the API's credential from its variable (double quotes: the shell expands it)."""
    header = credential_header(contract)
    if header is not None:
        return ["-H", f'"{header[0]}: {header[1]}"']
    basic = any(
        scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "basic"
        for scheme in contract.security_schemes.values()
    )
    return ["-u", f'"${credential_variable(contract.api)}"'] if basic else []


_NOISE_HEADERS = {"host", "content-length", "accept-encoding", "connection", "user-agent"}
BODY_SHOWN = 4000


@dataclass
class ReplayLines:
    """An httpx response hook beside the evidence recorder: per exchange, a curl line whose credential is the
    API's variable against a real target, or, on our mock, the tenant used (not a secret: a fresh generated name)
    so the failure replays on the same data."""

    contracts: dict[str, Contract]
    ours: bool
    mask: Callable[[str], str]
    lines: list[dict[str, str]] = field(default_factory=list)

    def _contract_of(self, path: str) -> Contract | None:
        matching = [c for c in self.contracts.values() if c.base_path and path.startswith(c.base_path + "/")]
        return max(matching, key=lambda contract: len(contract.base_path), default=None)

    def on_response(self, response: httpx.Response) -> None:
        request = response.request
        if request.url.path.startswith("/__admin"):
            return  # the recorder skips set-up too: both lists stay aligned
        contract = self._contract_of(request.url.path)
        secret = {name.lower() for name, _ in [credential_header(contract) or ("", "")]} if contract else set()
        secret |= {"authorization"}
        parts = ["curl", "-X", request.method, shlex.quote(self.mask(str(request.url)))]
        tenant = ""
        for name, value in request.headers.items():
            if name.lower() in _NOISE_HEADERS:
                continue
            if name.lower() in secret and not self.ours:
                continue  # replaced by the variable below
            if name.lower() in secret:
                tenant = value.removeprefix("Bearer ")
            parts += ["-H", shlex.quote(f"{name}: {value if self.ours else self.mask(value)}")]
        if not self.ours and contract is not None:
            parts += credential_placeholder(contract)
        if request.content:
            body = request.content[:BODY_SHOWN].decode("utf-8", errors="replace")
            parts += ["--data-binary", shlex.quote(self.mask(body))]
        line = {"curl": " ".join(parts)}
        if self.ours and tenant:
            line["tenant"] = _basic_user(tenant)
        self.lines.append(line)

    def clear(self) -> None:
        self.lines = []

    def last(self, count: int) -> list[dict[str, str]]:
        return self.lines[-count:] if count else []


def _basic_user(value: str) -> str:
    """Oracle's tenant is the Basic user: shown by name rather than as base64."""
    scheme, _, encoded = value.partition(" ")
    if scheme.lower() != "basic":
        return value
    try:
        return base64.b64decode(encoded).decode().split(":", 1)[0]
    except ValueError:
        return value
