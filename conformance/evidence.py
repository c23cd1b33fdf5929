"""What a failure shows: the requests a scenario sent (as replayable curl commands) and what came back,
with every credential masked."""

from __future__ import annotations

import base64
import shlex
from dataclasses import dataclass, field
from typing import Any

import httpx

MASK = "***"
SECRET_HEADERS = {"authorization", "eci-apikey", "x-api-key", "cookie", "proxy-authorization"}
BODY_LIMIT = 4000


@dataclass
class Masker:
    """Hides credentials in anything the suite prints or writes."""

    secrets: set[str] = field(default_factory=set)

    def add(self, credential: str | None) -> None:
        if not credential:
            return
        self.secrets.add(credential)
        self.secrets.add(base64.b64encode(credential.encode()).decode())
        user_and_password = credential if ":" in credential else f"{credential}:password"
        self.secrets.add(base64.b64encode(user_and_password.encode()).decode())

    def text(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text

    def header(self, name: str, value: str) -> str:
        if name.lower() not in SECRET_HEADERS:
            return self.text(value)
        scheme, _, rest = value.partition(" ")
        return f"{scheme} {MASK}" if rest and name.lower().endswith("authorization") else MASK


def _body_text(content: bytes) -> str:
    text = content[:BODY_LIMIT].decode("utf-8", errors="replace")
    return text + ("..." if len(content) > BODY_LIMIT else "")


def curl(request: httpx.Request, masker: Masker) -> str:
    parts = ["curl", "-X", request.method, shlex.quote(str(request.url))]
    for name, value in request.headers.items():
        if name.lower() in {"host", "content-length", "accept-encoding", "connection", "user-agent"}:
            continue
        parts += ["-H", shlex.quote(f"{name}: {masker.header(name, value)}")]
    if request.content:
        parts += ["--data-binary", shlex.quote(masker.text(_body_text(request.content)))]
    return " ".join(parts)


def exchange(response: httpx.Response, masker: Masker) -> dict[str, Any]:
    request = response.request
    return {
        "curl": curl(request, masker),
        "request": {
            "method": request.method,
            "url": masker.text(str(request.url)),
            "headers": {name: masker.header(name, value) for name, value in request.headers.items()},
            "body": masker.text(_body_text(request.content)),
        },
        "response": {
            "status": response.status_code,
            "headers": {name: masker.header(name, value) for name, value in response.headers.items()},
            "body": masker.text(_body_text(response.content)),
        },
    }


@dataclass
class Recorder:
    """Every exchange of the current test, through an httpx response hook."""

    masker: Masker
    exchanges: list[dict[str, Any]] = field(default_factory=list)

    def on_response(self, response: httpx.Response) -> None:
        if response.request.url.path.startswith("/__admin"):
            return  # seeding and clock moves are set-up, not evidence
        response.read()
        self.exchanges.append(exchange(response, self.masker))

    def clear(self) -> None:
        self.exchanges = []

    def last(self, count: int = 2) -> list[dict[str, Any]]:
        return self.exchanges[-count:]
