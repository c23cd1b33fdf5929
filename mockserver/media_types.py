"""Media types are case-insensitive (RFC 9110 8.3.1), but connexion matches the request's Content-Type against
the contract's exactly: `APPLICATION/JSON` found no body validator and reached the handler without its body.
This layer lower-cases the type and subtype (parameters such as a boundary keep their case) before routing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def _lowered(value: bytes) -> bytes:
    media_type, separator, parameters = value.partition(b";")
    return media_type.strip().lower() + separator + parameters


class MediaTypeCase:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:
        """The app's awaitable, for the scope it is handed (no coroutine of this layer's own around it)."""
        if scope["type"] == "http":
            headers = scope["headers"]
            for position, (name, value) in enumerate(headers):
                if name == b"content-type" and value != (lowered := _lowered(value)):
                    scope = {**scope, "headers": [*headers[:position], (name, lowered), *headers[position + 1 :]]}
                    break
        return self._app(scope, receive, send)
