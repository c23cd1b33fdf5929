"""What a failure shows: the requests a scenario sent (as replayable curl commands) and what came back,
with every credential masked."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import Any

import httpx

from asset_meter_specs.credential_headers import GENERIC
from conformance import masking
from conformance.masking import MASK

BODY_LIMIT = 4000


class Masker:
    """Hides credentials in evidence: every credential added joins the run's masking registry (conformance.masking),
    so the same credentials are hidden in every other output too. ``credential_headers`` (lower-cased) are masked
    whatever they hold: the run's contracts name them (`asset_meter_specs.credential_headers`)."""

    def __init__(self, credential_headers: frozenset[str] = GENERIC) -> None:
        self.credential_headers = credential_headers

    def add(self, credential: str | None) -> None:
        masking.register(credential)

    def text(self, text: str) -> str:
        return masking.clean(text)

    def header(self, name: str, value: str) -> str:
        if name.lower() not in self.credential_headers:
            return self.text(value)
        scheme, _, rest = value.partition(" ")
        return f"{scheme} {MASK}" if rest and name.lower().endswith("authorization") else MASK


def _body_text(content: bytes, masker: Masker) -> str:
    """The body as text, masked before it is cut, so no prefix of a credential survives the cut."""
    text = masker.text(content.decode("utf-8", errors="replace"))
    return text[:BODY_LIMIT] + ("..." if len(text) > BODY_LIMIT else "")


def curl(request: httpx.Request, masker: Masker) -> str:
    parts = ["curl", "-X", request.method, shlex.quote(str(request.url))]
    for name, value in request.headers.items():
        if name.lower() in {"host", "content-length", "accept-encoding", "connection", "user-agent"}:
            continue
        parts += ["-H", shlex.quote(f"{name}: {masker.header(name, value)}")]
    if request.content:
        parts += ["--data-binary", shlex.quote(_body_text(request.content, masker))]
    return " ".join(parts)


def exchange(response: httpx.Response, masker: Masker) -> dict[str, Any]:
    request = response.request
    return {
        "curl": curl(request, masker),
        "request": {
            "method": request.method,
            "url": masker.text(str(request.url)),
            "headers": {name: masker.header(name, value) for name, value in request.headers.items()},
            "body": _body_text(request.content, masker),
        },
        "response": {
            "status": response.status_code,
            "headers": {name: masker.header(name, value) for name, value in response.headers.items()},
            "body": _body_text(response.content, masker),
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
