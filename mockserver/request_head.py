"""Refuses a request head above its bounds before routing, in the vendor's own error format: a path longer than
`max_path_bytes` (414) or headers larger than `max_header_bytes` together (431).

The HTTP server drops a head that arrives in pieces larger than the bound (h11 by its own buffer bound, httptools
through `http_protocol.py`); one that arrives whole reaches the app, and is refused here. Routing converts an
integer path parameter with int() while it matches the route; past Python's 4,300-digit limit that raised and the
request answered 500. No path of these APIs comes near the bound, and every id under it reaches the contract's own
minimum and maximum checks (400)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from mockserver.body_limit import ASGIApp, send_refusal
from mockserver.vendor_api import ErrorFormat


class RequestHeadLimit:
    def __init__(
        self, app: ASGIApp, max_path_bytes: int, max_header_bytes: int, format_for: Callable[[str], ErrorFormat | None]
    ) -> None:
        self._app = app
        self._max_path_bytes = max_path_bytes
        self._max_header_bytes = max_header_bytes
        self._format_for = format_for

    def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:
        """The refusal's awaitable, or the app's (no coroutine of this layer's own around it)."""
        if scope["type"] == "http":
            refusal = self._refusal(scope)
            if refusal is not None:
                return send_refusal(send, self._format_for(scope["path"][:200]), *refusal)
        return self._app(scope, receive, send)

    def _refusal(self, scope: dict[str, Any]) -> tuple[int, str] | None:
        if len(scope.get("raw_path") or scope["path"].encode()) > self._max_path_bytes:
            return 414, f"Request path longer than {self._max_path_bytes} bytes"
        # Each header counts its name, its value and 4 bytes of framing (`: ` and CRLF); a plain loop, stopped at
        # the bound, costs less than a sum over a generator.
        total, bound = 0, self._max_header_bytes
        for name, value in scope["headers"]:
            total += len(name) + len(value) + 4
            if total > bound:
                return 431, f"Request headers larger than {bound} bytes together"
        return None
