"""The forwarding side: an ASGI app (served by uvicorn) that passes each request to its API's origin with httpx
and streams the answer back as it comes, chunk by chunk, compressed bodies untouched.

Only hop-by-hop headers are dropped (RFC 9110 7.6.1: Connection and those it names, Keep-Alive, TE, Trailer,
Transfer-Encoding, Upgrade, Proxy-*); Host becomes the origin's, as it must. What passes is copied aside up to
`check_limit` bytes for the checks, which run after the client has its whole answer, so they add no wait to it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

from conformance.proxy.observer import Exchange
from conformance.proxy.routing import Router

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
CHECK_LIMIT = 16 * 1024 * 1024
MAX_HEAD = 64 * 1024
"""A request head (path, query and headers) above this is not forwarded: 431, as our mock answers it, so
neither the origin nor a recording is handed a head no contract needs."""
logger = logging.getLogger("conformance.proxy")


def end_to_end(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` without the hop-by-hop ones, those the Connection header names included."""
    named = {
        token.strip().lower() for name, value in headers if name.lower() == b"connection" for token in value.split(b",")
    }
    return [
        (name, value)
        for name, value in headers
        if name.lower().decode("latin-1") not in HOP_BY_HOP and name.lower() not in named
    ]


class _Copy:
    """What passed, kept up to a limit: past it the copy is dropped (None) and only the size counted."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.chunks: list[bytes] | None = []
        self.size = 0

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.chunks is not None:
            if self.size > self.limit:
                self.chunks = None
            else:
                self.chunks.append(chunk)

    @property
    def body(self) -> bytes | None:
        return b"".join(self.chunks) if self.chunks is not None else None


class ProxyApp:
    def __init__(
        self,
        router: Router,
        observe: Callable[[Exchange], object],
        client: httpx.AsyncClient,
        check_limit: int = CHECK_LIMIT,
    ) -> None:
        self.router = router
        self.observe = observe
        self.client = client
        self.check_limit = check_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # websockets: no contract speaks them
        began, at = time.perf_counter(), time.time()
        path: str = scope["path"]
        contract = self.router.api_of(path)
        if contract is None:
            await _answer(send, 404, f"conformance proxy: no API of the targets file has a base path for {path}")
            return
        raw_path = scope.get("raw_path") or path.encode()
        query: bytes = scope.get("query_string", b"")
        url = (
            self.router.origins[contract.api]
            + raw_path.decode("latin-1")
            + ("?" + query.decode("latin-1") if query else "")
        )
        head = len(raw_path) + len(query) + sum(len(name) + len(value) + 4 for name, value in scope["headers"])
        if head > MAX_HEAD:
            refusal = f"a request head of {head} bytes, above {MAX_HEAD // 1024} KiB: not forwarded"
            await _answer(send, 431, f"conformance proxy: {refusal}")
            await self._observe(
                Exchange(
                    at=at,
                    method=scope["method"],
                    path=path,
                    query="",
                    request_headers=[],
                    request_body=b"",
                    request_size=0,
                    status=431,
                    response_headers=[],
                    response_body=b"",
                    response_size=0,
                    duration=time.perf_counter() - began,
                    refused=refusal,
                )
            )
            return
        headers = [(name, value) for name, value in end_to_end(scope["headers"]) if name.lower() != b"host"]
        sent = _Copy(self.check_limit)
        has_body = any(name.lower() in (b"content-length", b"transfer-encoding") for name, _ in scope["headers"])
        content = _body(receive, sent) if has_body else None
        request = httpx.Request(scope["method"], url, headers=headers, content=content)
        if not has_body:
            request.headers.pop("content-length", None)
        received = _Copy(self.check_limit)
        status: int | None = None
        response_headers: list[tuple[bytes, bytes]] = []
        failure = ""
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as error:
            failure = f"the origin could not be reached: {type(error).__name__} {error}".strip()
            await _answer(send, 502, f"conformance proxy: {failure}")
        else:
            status = response.status_code
            response_headers = end_to_end(response.headers.raw)
            try:
                await send({"type": "http.response.start", "status": status, "headers": response_headers})
                async for chunk in response.aiter_raw():
                    received.add(chunk)
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            except httpx.HTTPError as error:
                failure = f"the origin's answer broke off: {type(error).__name__} {error}".strip()
            finally:
                await response.aclose()
        exchange = Exchange(
            at=at,
            method=scope["method"],
            path=path,
            query=query.decode("latin-1"),
            request_headers=_text(scope["headers"]),
            request_body=sent.body,
            request_size=sent.size,
            status=status,
            response_headers=_text(response_headers),
            response_body=_decoded(received.body, response_headers, self.check_limit),
            response_size=received.size,
            duration=time.perf_counter() - began,
            failure=failure,
        )
        await self._observe(exchange)

    async def _observe(self, exchange: Exchange) -> None:
        """The checks run in a worker thread: a large body's validation never holds up other exchanges."""
        try:
            await asyncio.to_thread(self.observe, exchange)
        except Exception as error:  # a check that breaks must never break the traffic: say so and go on
            logger.exception("conformance proxy: could not check %s %s: %s", exchange.method, exchange.path, error)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _body(receive: Receive, copy: _Copy) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        chunk = message.get("body", b"")
        if chunk:
            copy.add(chunk)
            yield chunk
        if not message.get("more_body", False):
            return


async def _answer(send: Send, status: int, text: str) -> None:
    """The proxy's own answer (plain text, so it is never mistaken for the vendor's)."""
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _text(headers: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]


def _decoded(body: bytes | None, headers: list[tuple[bytes, bytes]], limit: int) -> bytes | None:
    """The body as the checks read it: gzip or deflate decoded, never past ``limit`` (a gzip bomb stops there
    and is not checked); another encoding is not checked (None)."""
    encoding = next((value.decode("latin-1") for name, value in headers if name.lower() == b"content-encoding"), "")
    encoding = encoding.strip().lower()
    if body is None or encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        return None
    decoder = zlib.decompressobj(wbits=47 if "gzip" in encoding else 15)
    try:
        decoded = decoder.decompress(body, limit + 1)
    except zlib.error:
        return None
    return decoded if len(decoded) <= limit else None
