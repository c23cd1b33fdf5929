"""Starlette's CORS middleware, with a shorter way for the requests that carry no `Origin` header (most of them:
anything but a browser's cross-origin call).

Without `Origin` Starlette neither answers a preflight nor adds an `Access-Control-*` header: it only merges
`Origin` into the answer's `Vary` (a cache must not reuse an answer without CORS headers for a browser's call). That
costs it a `Headers` object per request, two case-insensitive look-ups and a `MutableHeaders` rewrite per answer;
here it is one scan of the raw headers and, when the answer has no `Vary` of its own, one appended header. Every
request with `Origin`, and every answer that already varies, takes Starlette's own code unchanged."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware

_ORIGIN = b"origin"
_VARY = b"vary"
_VARY_ORIGIN = (b"vary", b"Origin")


class Cors(CORSMiddleware):
    def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:  # type: ignore[override]  # Starlette declares a coroutine
        """The awaitable that answers the request (no coroutine of this layer's own around the app's)."""
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        # As Starlette's `Headers(scope=scope)` does: the request's headers become a list of their own.
        headers = scope["headers"] = list(scope["headers"])
        for name, _ in headers:
            if name == _ORIGIN:  # Starlette compares raw names, as ASGI servers give them (lower case)
                return super().__call__(scope, receive, send)

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                answered = message.get("headers", [])
                for name, _ in answered:
                    if name == _VARY:
                        # Merging into an existing `Vary` is Starlette's to do.
                        await self.send(message, send, Headers(raw=headers))
                        return
                # Starlette's `MutableHeaders` writes to a copy of the list: whoever holds the original keeps it.
                message["headers"] = [*answered, _VARY_ORIGIN]
            await send(message)

        return self.app(scope, receive, sending)
