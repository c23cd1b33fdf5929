"""The ASGI layer in front of the vendor APIs: applies faults (rules and `Prefer`) and keeps the journal.

It reads the request's API, operation and tenant from the contracts (`operations.py`), so it works the same
whether connexion would route the request, refuse it or never see it (a dropped connection)."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from connexion.lifecycle import ConnexionResponse

from mockserver.qa.faults import Fault, FaultRefused, Faults, preferred_fault
from mockserver.qa.journal import Exchange, Journal
from mockserver.qa.operations import Operation, OperationIndex
from mockserver.vendor_api import ErrorFormat

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


# A dropped connection starts an answer that promises a body it never sends.
_PROMISED_BODY = [(b"content-type", b"application/json"), (b"content-length", b"64")]


class ConnectionDropped(Exception):
    """Raised mid-response on purpose: the server closes the connection before the body is complete."""


_DOCS = re.compile(r"/ui(/|$)|/openapi\.json$")

# What a path and method decide (API, operation, untouched), kept for this many of the shorter paths seen last:
# the index is fixed once built, so a kept answer is the answer.
_KEPT_PATHS = 4096
_KEPT_PATH_CHARS = 512
_KEPT_TENANTS = 1024
_KEPT_CREDENTIAL_BYTES = 512


def _untouched(path: str) -> bool:
    """The admin API and the API docs are neither faulted nor journaled."""
    if path.startswith("/__admin"):
        return True
    # `/ui` or a trailing `/openapi.json` must be in the path for the pattern to match: most paths skip it.
    return ("/ui" in path or path.endswith("/openapi.json")) and _DOCS.search(path) is not None


class QaMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        index: OperationIndex,
        journal: Journal,
        faults: Faults,
        errors: dict[str, ErrorFormat],
        max_prefer_chars: int = 1024,
    ) -> None:
        self._app = app
        self._max_prefer_chars = max_prefer_chars
        self._index = index
        self._journal = journal
        self._faults = faults
        self._errors = errors
        self._routes: dict[tuple[str, str], tuple[bool, str | None, Operation | None, bytes]] = {}
        self._tenants: dict[tuple[str | None, bytes | None], str | None] = {}

    def _route(self, method: str, path: str) -> tuple[bool, str | None, Operation | None, bytes]:
        """Whether ``path`` is untouched, its API, the operation and the API's credential header (lower case)."""
        key = (method, path)
        found = self._routes.get(key)
        if found is None:
            if _untouched(path):
                found = (True, None, None, b"")
            else:
                api = self._index.api_of(path)
                credential = self._index.credential_header(api).encode("latin-1")
                found = (False, api, self._index.find(method, path), credential)
            if len(path) <= _KEPT_PATH_CHARS:
                if len(self._routes) >= _KEPT_PATHS:
                    self._routes.clear()
                self._routes[key] = found
        return found

    def _tenant(self, api: str | None, credential: bytes, value: bytes | None) -> str | None:
        """The tenant the credential header's (last) value names, as ``OperationIndex.tenant`` reads it."""
        key = (api, value)
        if key in self._tenants:
            return self._tenants[key]
        presented = {} if value is None else {credential.decode("latin-1"): value.decode("latin-1")}
        tenant = self._index.tenant(api, presented)
        if value is None or len(value) <= _KEPT_CREDENTIAL_BYTES:
            if len(self._tenants) >= _KEPT_TENANTS:
                self._tenants.clear()
            self._tenants[key] = tenant
        return tenant

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        untouched, api, operation, credential = self._route(method, path)
        if untouched:
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        # One pass over the headers: the last `Prefer` and the last copy of the credential (as a dict of them would
        # keep), and how many copies the credential has.
        prefer = presented = None
        copies = 0
        for name, value in scope["headers"]:
            name = name.lower()
            if name == credential:
                presented = value
                copies += 1
            elif name == b"prefer":
                prefer = value
        tenant = self._tenant(api, credential, presented)
        status: int | None = None
        response_headers: list[tuple[bytes, bytes]] = []
        request_chunks: list[bytes] = []
        response_chunks: list[bytes] = []
        request_size = response_size = 0
        request_kept = response_kept = 0  # bytes of the bodies in the chunks (as `kept` keeps them)
        journal = self._journal.capacity > 0  # `Journal.enabled`, without a property call per request
        limit = self._journal.body_limit

        async def journaled_receive() -> dict[str, Any]:
            nonlocal request_size, request_kept
            message = await receive()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                request_size += len(body)
                if body and request_kept < limit:  # `kept`, counting what is kept instead of summing it again
                    part = body[: limit - request_kept]
                    request_chunks.append(part)
                    request_kept += len(part)
            return message

        async def journaled_send(message: dict[str, Any]) -> None:
            nonlocal status, response_headers, response_size, response_kept
            if message["type"] == "http.response.start":
                status, response_headers = message["status"], message.get("headers", [])
            elif message["type"] == "http.response.body":
                body = message.get("body", b"")
                response_size += len(body)
                if body and response_kept < limit:
                    part = body[: limit - response_kept]
                    response_chunks.append(part)
                    response_kept += len(part)
            await send(message)

        # Without a journal nothing is to be seen: the app talks to the server directly.
        receiving: Receive = journaled_receive if journal else receive
        sending: Send = journaled_send if journal else send

        fault: Fault | None = None
        try:
            if api is not None and copies > 1:
                # Auth would read one copy and the journal and faults another: two tenants in one request.
                tenant = None
                await self._answer(api, 401, "The credential header is given more than once", None, sending)
                return
            try:
                fault = (
                    None  # no header, no preference (as `preferred_fault` itself answers)
                    if prefer is None
                    else preferred_fault(
                        prefer.decode("latin-1"),
                        operation,
                        max_chars=self._max_prefer_chars,
                        max_latency_ms=self._faults.max_latency_ms,
                    )
                ) or (self._faults.fault_for(method, path, operation, tenant) if self._faults.rules else None)
            except FaultRefused as refusal:
                await self._answer(api, 400, str(refusal), None, sending)
                return
            if fault is not None and fault.latency_ms and not await self._faults.hold(fault):
                fault = None
            if fault is not None and fault.drop:
                await sending({"type": "http.response.start", "status": 200, "headers": _PROMISED_BODY})
                raise ConnectionDropped(f"{fault.why}: connection dropped on purpose")
            if fault is not None and fault.status is not None:
                detail = f"Injected by the mock ({fault.why})"
                await self._answer(api, fault.status, detail, fault.retry_after, sending)
                return
            await self._app(scope, receiving, sending)
        finally:
            if journal:
                query, request_headers = scope.get("query_string", b""), scope["headers"]
                # `Exchange.weight`, from the bytes counted as they were kept.
                weight = request_kept + response_kept + len(path) + len(query) + 200
                for name, value in request_headers:
                    weight += len(name) + len(value)
                for name, value in response_headers:
                    weight += len(name) + len(value)
                self._journal.record(Exchange(
                    time.time(), api, operation.operation_id if operation else None, method, path,
                    query, tenant, status, time.perf_counter() - started,
                    fault.why if fault else None, request_headers, request_chunks, request_size,
                    response_headers, response_chunks, response_size,
                ), weight)  # fmt: skip

    async def _answer(self, api: str | None, status: int, detail: str, retry_after: int | None, send: Send) -> None:
        errors = self._errors.get(api or "")
        response = (
            errors.problem(status, detail, None)
            if errors is not None
            else ConnexionResponse(status_code=status, content_type="text/plain", body=detail.encode())
        )
        body = response.body if isinstance(response.body, bytes) else str(response.body or "").encode()
        headers = {name.lower(): str(value) for name, value in response.headers.items()}
        headers.setdefault("content-type", response.content_type or "application/json")
        if retry_after is not None:
            headers["retry-after"] = str(retry_after)
        if status in (204, 304):  # RFC 9110 15.3.5, 15.4.5: no content
            body = b""
            headers.pop("content-type", None)
        headers["content-length"] = str(len(body))
        raw = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})
