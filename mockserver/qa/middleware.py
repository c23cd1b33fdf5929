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
from mockserver.qa.journal import Exchange, Journal, kept
from mockserver.qa.operations import OperationIndex
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


def _untouched(path: str) -> bool:
    """The admin API and the API docs are neither faulted nor journaled."""
    return path.startswith("/__admin") or _DOCS.search(path) is not None


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _untouched(scope["path"]):
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        method, path = scope["method"], scope["path"]
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        api = self._index.api_of(path)
        operation = self._index.find(method, path)
        tenant = self._index.tenant(api, headers)
        seen: dict[str, Any] = {"status": None, "headers": [], "chunks": [], "size": 0, "request": [], "rsize": 0}
        journal = self._journal.enabled
        limit = self._journal.body_limit

        async def receiving() -> dict[str, Any]:
            message = await receive()
            if journal and message["type"] == "http.request":
                body = message.get("body", b"")
                seen["rsize"] += len(body)
                kept(seen["request"], body, limit)
            return message

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen["status"], seen["headers"] = message["status"], message.get("headers", [])
            elif journal and message["type"] == "http.response.body":
                body = message.get("body", b"")
                seen["size"] += len(body)
                kept(seen["chunks"], body, limit)
            await send(message)

        fault: Fault | None = None
        try:
            if api is not None and self._index.credential_repeated(api, scope["headers"]):
                # Auth would read one copy and the journal and faults another: two tenants in one request.
                tenant = None
                await self._answer(api, 401, "The credential header is given more than once", None, sending)
                return
            try:
                fault = preferred_fault(
                    headers.get("prefer"),
                    operation,
                    max_chars=self._max_prefer_chars,
                    max_latency_ms=self._faults.max_latency_ms,
                ) or self._faults.fault_for(method, path, operation, tenant)
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
                self._journal.record(Exchange(
                    time.time(), api, operation.operation_id if operation else None, method, path,
                    scope.get("query_string", b""), tenant, seen["status"], time.perf_counter() - started,
                    fault.why if fault else None, scope["headers"], seen["request"], seen["rsize"],
                    seen["headers"], seen["chunks"], seen["size"],
                ))  # fmt: skip

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
