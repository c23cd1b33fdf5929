"""Refuses request bodies above a size limit before they are read into memory: 413 in the vendor's own error
format (the admin API's JSON problem for `/__admin`), whether the client announced the size (Content-Length) or
streams it. A streamed body (`Transfer-Encoding: chunked`) is read here, up to the limit, and handed on with the
Content-Length it turned out to have: connexion takes a request without one for a request without a body."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from mockserver.vendor_api import ErrorFormat
from mockserver.vendor_errors import problem_json

Message = dict[str, Any]
ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]  # fmt: skip

_NO_BODY = ("GET", "HEAD", "OPTIONS")


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int, format_for: Callable[[str], ErrorFormat | None]) -> None:
        self._app = app
        self._limit = limit
        self._format_for = format_for

    def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[None]:
        """A request that carries no body is the app's at once (its awaitable, without a coroutine of this layer)."""
        if scope["type"] != "http" or scope["method"] in _NO_BODY:
            return self._app(scope, receive, send)
        return self._bounded(scope, receive, send)

    async def _bounded(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        announced = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                announced = value  # the last copy, as a dict of the headers would keep
        if announced is not None and self._limit <= 0:
            await self._app(scope, receive, send)
            return
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
            if 0 < self._limit < received:
                await self._refuse(scope, send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        if announced is None:
            scope = dict(scope)
            scope["headers"] = [
                *((name, value) for name, value in scope["headers"] if name != b"transfer-encoding"),
                (b"content-length", str(received).encode()),
            ]
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
    """An answer from in front of the app: the vendor's error format under an API, a JSON problem elsewhere."""
    if errors is None:
        response = problem_json(status, HTTPStatus(status).phrase, detail)
    else:
        response = errors.problem(status, detail, None)
    body = response.body if isinstance(response.body, bytes) else str(response.body).encode()
    headers = [(name.lower().encode(), str(value).encode()) for name, value in response.headers.items()]
    headers = [(name, value) for name, value in headers if name != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})
