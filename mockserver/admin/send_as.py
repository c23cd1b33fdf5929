""" "Send as a tenant": a vendor request the page composes (an EnergyCAP version edit, say), sent through the whole
mock with the tenant's credential put where the API's contract carries it. Rules, faults and the journal apply as
to any client's request; the page never holds the credential."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

import httpx
import orjson
from starlette.responses import Response


class NotSendable(ValueError):
    """The request cannot be sent as asked (its path leaves the API, or the API carries no credential we know)."""


def credential_header(spec: Mapping[str, Any], credential: str) -> tuple[str, str]:
    """The header a client of this contract sends ``credential`` in, read from its first usable security scheme."""
    for scheme in (spec.get("components", {}).get("securitySchemes", {}) or {}).values():
        kind, http_scheme = scheme.get("type"), str(scheme.get("scheme", "")).lower()
        if kind == "apiKey" and scheme.get("in") == "header":
            return scheme["name"], credential
        if kind == "http" and http_scheme == "bearer":
            return "Authorization", f"Bearer {credential}"
        if kind == "http" and http_scheme == "basic":  # the user names the tenant; the password is not checked
            return "Authorization", "Basic " + base64.b64encode(f"{credential}:console".encode()).decode()
    raise NotSendable("the API's contract declares no credential the mock can send")


def inside(path: str) -> str:
    """``path`` (relative to the API's base path), refused if a dot segment could climb out of the API."""
    segments = unquote(path.split("?", 1)[0]).split("/")
    if any(segment in (".", "..") for segment in segments) or "\\" in unquote(path):
        raise NotSendable("the path must stay inside the API (no '.' or '..' segments)")
    return path


class SendAs(Response):
    """Answers ``{"status": ..., "body": ...}`` with what the mock answered. Sent on the server's loop, where the
    app can be called (handlers run in worker threads and cannot await)."""

    media_type = "application/json"

    def __init__(self, app: Any, method: str, target: str, headers: dict[str, str], body: Any) -> None:
        super().__init__(status_code=200)
        self._app, self._method, self._target, self._headers, self._body = app, method, target, headers, body

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        content = None if self._body is None else orjson.dumps(self._body)
        transport = httpx.ASGITransport(app=self._app, client=("127.0.0.1", 0))
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            answer = await client.request(self._method, self._target, headers=self._headers, content=content)
        try:
            shown = answer.json()
        except ValueError:
            shown = answer.text
        body = orjson.dumps({"status": answer.status_code, "body": shown})
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
