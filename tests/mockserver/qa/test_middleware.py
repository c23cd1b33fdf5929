"""The QA layer in process: what it reads of a request (API, operation, tenant, `Prefer`) is read afresh for every
request, though it keeps what a path and a credential decide, and what it keeps stays bounded."""

from __future__ import annotations

import asyncio
from typing import Any

from mockserver.app import build_app
from mockserver.qa import middleware
from mockserver.qa.journal import Filter
from mockserver.qa.operations import tenant_fingerprint
from mockserver.settings import Settings

READINGS = "/api/v3/channel/10001/reading"


def call(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": headers, "root_path": "", "scheme": "http", "server": ("mock", 80)}  # fmt: skip
    asyncio.run(app(scope, receive, send))
    return sent


def journaled(app: Any) -> list[dict[str, Any]]:
    return app.runtime.journal.entries(Filter())


def test_one_path_with_two_credentials_journals_two_tenants():
    app = build_app(Settings())
    for tenant in ("alice", "bob", "alice"):
        call(app, "GET", READINGS, [(b"eci-apikey", tenant.encode())])
    call(app, "GET", READINGS, [])
    tenants = [entry["tenant"] for entry in journaled(app)]
    assert tenants == [None, *(tenant_fingerprint(name) for name in ("alice", "bob", "alice"))]


def test_the_last_prefer_header_is_the_one_read():
    app = build_app(Settings())
    sent = call(app, "GET", READINGS, [(b"eci-apikey", b"k"), (b"prefer", b"code=abc"), (b"Prefer", b"latency=0")])
    assert sent[0]["status"] != 400  # the first one, alone, is refused
    assert journaled(app)[0]["fault"] == "Prefer: latency=0"
    assert call(app, "GET", READINGS, [(b"eci-apikey", b"k"), (b"prefer", b"code=abc")])[0]["status"] == 400


def test_a_credential_repeated_in_any_case_is_refused_and_names_no_tenant():
    app = build_app(Settings())
    sent = call(app, "GET", READINGS, [(b"ECI-ApiKey", b"alice"), (b"eci-apikey", b"bob")])
    assert sent[0]["status"] == 401
    assert journaled(app)[0]["tenant"] is None


def test_what_the_layer_keeps_stays_bounded_and_the_answers_stay_the_same(monkeypatch):
    monkeypatch.setattr(middleware, "_KEPT_PATHS", 8)
    monkeypatch.setattr(middleware, "_KEPT_TENANTS", 8)
    app = build_app(Settings(journal_size=10))
    front = app.front
    call(app, "GET", READINGS, [(b"eci-apikey", b"k")])
    first = journaled(app)[0]
    for n in range(middleware._KEPT_PATHS + 10):
        call(app, "GET", f"/api/v3/channel/{n}/reading", [(b"eci-apikey", f"k{n}".encode())])
    call(app, "GET", "/api/v3/channel/" + "9" * (middleware._KEPT_PATH_CHARS + 1) + "/reading", [])
    call(app, "GET", READINGS, [(b"eci-apikey", b"x" * (middleware._KEPT_CREDENTIAL_BYTES + 1))])
    assert len(front._routes) <= middleware._KEPT_PATHS
    assert len(front._tenants) <= middleware._KEPT_TENANTS
    assert all(len(path) <= middleware._KEPT_PATH_CHARS for _, path in front._routes)
    assert all(value is None or len(value) <= middleware._KEPT_CREDENTIAL_BYTES for _, value in front._tenants)
    call(app, "GET", READINGS, [(b"eci-apikey", b"k")])
    again = journaled(app)[0]
    assert [again[key] for key in ("api", "operationId", "tenant")] == [
        first[key] for key in ("api", "operationId", "tenant")
    ]
    long_credential, long_path = journaled(app)[1:3]  # too long to keep, and still read
    assert long_credential["tenant"] == tenant_fingerprint("x" * (middleware._KEPT_CREDENTIAL_BYTES + 1))
    assert long_path["operationId"] == "get_channel_readings"


def test_what_is_kept_of_the_bodies_and_the_weight_counted_are_the_journals_own() -> None:
    """The layer keeps each body's first bytes, and counts an entry's weight, as it goes: the same chunks as
    `journal.kept` keeps, and the weight `Exchange.weight` computes."""
    from mockserver.qa.journal import Journal, kept

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for part in (b"abc", b"", b"defgh", b"ij"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    mock = build_app(Settings())
    for limit in (0, 1, 4, 8, 100):
        journal = Journal(10, body_limit=limit)
        layer = middleware.QaMiddleware(app, mock.front._index, journal, mock.runtime.faults, {})
        parts = [b"12", b"", b"3456", b"789"]
        messages = iter([{"type": "http.request", "body": part, "more_body": True} for part in parts]
                        + [{"type": "http.request", "body": b"", "more_body": False}])  # fmt: skip

        async def receive(messages: Any = messages) -> dict[str, Any]:
            return next(messages)

        async def send(message: dict[str, Any]) -> None:
            pass

        scope = {"type": "http", "method": "POST", "path": READINGS, "raw_path": READINGS.encode(),
                 "query_string": b"a=1", "headers": [(b"eci-apikey", b"k")], "root_path": ""}  # fmt: skip
        asyncio.run(layer(scope, receive, send))
        [(_, entry, weight)] = journal._entries
        expected_request: list[bytes] = []
        expected_response: list[bytes] = []
        for part in parts:
            kept(expected_request, part, limit)
        for part in (b"abc", b"", b"defgh", b"ij", b""):
            kept(expected_response, part, limit)
        assert (entry.request_chunks, entry.response_chunks) == (expected_request, expected_response)
        assert weight == entry.weight
