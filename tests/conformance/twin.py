"""A broken mock and the real one side by side, behind one address.

Every request goes to both; the broken mock's answer goes back to the caller, and each pair of answers is kept,
so that a test can tell whether the broken mock answered anything differently from the real one. Both see the
same requests in the same order (the seeding of a fresh tenant, clock moves, state reads), so the real mock's
answers are what the broken one's would have been without the breakage.

`Switchboard` is the one server a test module needs: it answers with whichever twin is plugged in at the
moment. Checks of one run go one at a time, so one server serves every breakage of a module in turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from mockserver.app import MockApp

# What two sound mocks answer differently for the same requests: tesma's random traceId. (Their clocks agree: the
# twin hands both one wall clock that stands still while they answer the same request.)
_RANDOM_KEYS = frozenset({"traceId"})
# Headers whose value is part of an answer's meaning (the rest are framing: date, server, length).
COMPARED_HEADERS = ("location", "content-type", "allow", "www-authenticate", "etag", "retry-after")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def same_as(self, other: Answer) -> bool:
        return (
            self.status == other.status
            and all(self.headers.get(name) == other.headers.get(name) for name in COMPARED_HEADERS)
            and _same(_parsed(self.body), _parsed(other.body))
        )


@dataclass
class Exchange:
    method: str
    path: str
    broken: Answer
    real: Answer

    @property
    def differs(self) -> bool:
        return not self.broken.same_as(self.real)

    def __str__(self) -> str:
        return f"{self.method} {self.path}: broken {self.broken.status}, real {self.real.status}"


def _parsed(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return body


def _same(one: Any, other: Any) -> bool:
    if isinstance(one, dict) and isinstance(other, dict):
        return one.keys() == other.keys() and all(
            key in _RANDOM_KEYS or _same(value, other[key]) for key, value in one.items()
        )
    if isinstance(one, list) and isinstance(other, list):
        return len(one) == len(other) and all(_same(a, b) for a, b in zip(one, other, strict=True))
    return one == other


async def _call(app: Any, scope: dict[str, Any], body: bytes) -> Answer:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()  # no disconnect while the app is answering
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    answer = Answer(0, {}, b"")

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {name.decode().lower(): value.decode() for name, value in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await app(dict(scope), receive, send)
    return answer


async def _read_body(receive: Any) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


@dataclass
class Twin:
    broken: MockApp
    real: MockApp
    exchanges: list[Exchange] = field(default_factory=list)
    _now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        # The clocks keep their own modes (frozen, offset), moved alike by the same admin requests.
        for app in (self.broken, self.real):
            app.runtime.clock.wall_clock = self._wall_clock

    def _wall_clock(self) -> datetime:
        return self._now

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = await _read_body(receive)
        self._now = datetime.now(UTC)
        broken = await _call(self.broken, scope, body)
        real = await _call(self.real, scope, body)
        query = scope.get("query_string", b"").decode()
        path = scope["path"] + (f"?{query}" if query else "")
        self.exchanges.append(Exchange(scope["method"], path, broken, real))
        headers = [(name.encode(), value.encode()) for name, value in broken.headers.items()]
        await send({"type": "http.response.start", "status": broken.status, "headers": headers})
        await send({"type": "http.response.body", "body": broken.body})


class Switchboard:
    """The app a shared server runs: lifespan answered here, HTTP handed to the twin plugged in."""

    def __init__(self) -> None:
        self._twin: Twin | None = None

    def plug(self, twin: Twin | None) -> None:
        self._twin = twin

    @contextmanager
    def plugged(self, twin: Twin) -> Iterator[Twin]:
        self.plug(twin)
        try:
            yield twin
        finally:
            self.plug(None)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http" or self._twin is None:
            raise RuntimeError("no mock is plugged in")
        await self._twin(scope, receive, send)
