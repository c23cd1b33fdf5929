"""Refuses request paths above a length with 414 in the vendor's own error format, before routing.

Routing converts an integer path parameter with int() while it matches the route; past Python's 4,300-digit
limit that raises and the request answered 500. No path of these APIs comes near the limit, and every id that
fits under it reaches the contract's own minimum and maximum checks (400)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockserver.body_limit import ASGIApp, send_refusal
from mockserver.vendor_api import ErrorFormat


class PathLimit:
    def __init__(self, app: ASGIApp, limit: int, format_for: Callable[[str], ErrorFormat | None]) -> None:
        self._app = app
        self._limit = limit
        self._format_for = format_for

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and len(scope.get("raw_path") or scope["path"].encode()) > self._limit:
            detail = f"Request path longer than {self._limit} bytes"
            await send_refusal(send, self._format_for(scope["path"][:200]), 414, detail)
            return
        await self._app(scope, receive, send)
