"""Redirects stay on the server the client reached: Starlette answers a trailing slash with a 307 whose
`Location` it builds from the request's `Host` header, which a client (or a proxy in between) controls. Every
redirect the mock answers keeps only the path and query of its target: a relative reference (RFC 9110, 10.2.2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

Message = dict[str, Any]
ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]  # fmt: skip


def relative(location: bytes) -> bytes:
    target = urlsplit(location.decode("latin-1"))
    if not target.scheme and not target.netloc:
        return location
    path = "/" + target.path.lstrip("/")  # never `//host`, which a browser reads as another server
    return (path + (f"?{target.query}" if target.query else "")).encode("latin-1")


class RelativeRedirects:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:
        """The app's awaitable, with ``send`` wrapped (no coroutine of this layer's own around it)."""
        if scope["type"] != "http":
            return self._app(scope, receive, send)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message = {
                    **message,
                    "headers": [
                        (name, relative(value) if name.lower() == b"location" else value)
                        for name, value in message.get("headers", [])
                    ],
                }
            await send(message)

        return self._app(scope, receive, sending)
