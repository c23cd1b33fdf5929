"""Refuses request bodies above a size limit before they are read into memory: 413 in the vendor's own error
format, whether the client announced the size (Content-Length) or streams it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from mockserver.vendor_api import ErrorFormat

Message = dict[str, Any]
ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]  # fmt: skip


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int, format_for: Callable[[str], ErrorFormat | None]) -> None:
        self._app = app
        self._limit = limit
        self._format_for = format_for

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self._limit <= 0 or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self._app(scope, receive, send)
            return
        announced = dict(scope["headers"]).get(b"content-length")
        if announced is not None and announced.isdigit() and int(announced) > self._limit:
            await self._refuse(scope, send)
            return
        # Read up to the limit here, then hand the body on: the app never holds more than the limit.
        chunks, received, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            received += len(message.get("body", b""))
            if received > self._limit:
                await self._refuse(scope, send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self._app(scope, replay, send)

    async def _refuse(self, scope: dict[str, Any], send: Any) -> None:
        detail = f"Request body larger than {self._limit} bytes"
        await send_refusal(send, self._format_for(scope["path"]), 413, detail)


async def send_refusal(send: Any, errors: ErrorFormat | None, status: int, detail: str) -> None:
    """An answer from in front of the app: the vendor's error format when the path is under an API."""
    if errors is None:
        headers, body = [(b"content-type", b"text/plain")], detail.encode()
    else:
        response = errors.problem(status, detail, None)
        body = response.body if isinstance(response.body, bytes) else str(response.body).encode()
        headers = [(name.lower().encode(), str(value).encode()) for name, value in response.headers.items()]
        status = response.status_code
    headers = [(name, value) for name, value in headers if name != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
