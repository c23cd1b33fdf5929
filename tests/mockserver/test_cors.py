"""The mock's CORS layer answers exactly as Starlette's CORSMiddleware does, request for request: the same messages
sent, the same request headers seen behind it, and the app's own header lists left as Starlette leaves them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.middleware.cors import CORSMiddleware

from mockserver.app import EXPOSED_HEADERS
from mockserver.cors import Cors

ANSWERS: dict[str, list[Any] | None] = {
    "plain": [(b"content-type", b"application/json"), (b"content-length", b"2")],
    "varies": [(b"vary", b"Accept-Encoding"), (b"content-length", b"2")],
    "varies twice": [(b"vary", b"Accept"), (b"content-length", b"2"), (b"vary", b"Accept-Encoding")],
    "vary, in capitals": [(b"Vary", b"Accept"), (b"content-length", b"2")],
    "lists": [[b"content-type", b"application/json"], [b"content-length", b"2"]],
    "empty": [],
    "none": None,  # the start message has no `headers` key at all
}

REQUESTS: dict[str, tuple[str, list[tuple[bytes, bytes]]]] = {
    "no origin": ("GET", [(b"host", b"mock"), (b"authorization", b"Basic eDp4")]),
    "no headers": ("GET", []),
    "origin": ("GET", [(b"host", b"mock"), (b"origin", b"http://allowed.example")]),
    "other origin": ("POST", [(b"origin", b"http://other.example"), (b"content-type", b"application/json")]),
    "origin twice": ("GET", [(b"origin", b"http://other.example"), (b"origin", b"http://allowed.example")]),
    "origin, in capitals": ("GET", [(b"Origin", b"http://allowed.example")]),
    "preflight": (
        "OPTIONS",
        [
            (b"origin", b"http://allowed.example"),
            (b"access-control-request-method", b"PUT"),
            (b"access-control-request-headers", b"authorization, x-api-key"),
        ],
    ),
    "preflight, other origin": (
        "OPTIONS",
        [(b"origin", b"http://other.example"), (b"access-control-request-method", b"PUT")],
    ),
    "options without origin": ("OPTIONS", [(b"access-control-request-method", b"PUT")]),
}


def layers(origins: list[str]) -> list[Any]:
    def configured(cls: type) -> Any:
        def build(app: Any) -> Any:
            return cls(
                app,
                allow_origins=origins,
                allow_methods=["*"],
                allow_headers=["*"],
                expose_headers=list(EXPOSED_HEADERS),
                max_age=600,
            )

        return build

    return [configured(CORSMiddleware), configured(Cors)]


def run(build: Any, method: str, headers: list[tuple[bytes, bytes]], answer: list[Any] | None, *, as_tuple: bool):
    seen: dict[str, Any] = {}
    held = None if answer is None else [list(pair) if isinstance(pair, list) else pair for pair in answer]

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen["headers"] = scope["headers"]
        start: dict[str, Any] = {"type": "http.response.start", "status": 200}
        if held is not None:
            start["headers"] = held
        await send(start)
        await send({"type": "http.response.body", "body": b"{}"})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append({**message, "headers": list(message["headers"])} if "headers" in message else dict(message))

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    raw = tuple(headers) if as_tuple else list(headers)
    scope = {"type": "http", "method": method, "path": "/api/x", "headers": raw}
    asyncio.run(build(app)(scope, receive, send))
    # What Starlette does to the request's headers (a list of their own), the answer and the app's own list.
    return sent, seen.get("headers"), type(scope["headers"]), held


@pytest.mark.parametrize("origins", [["*"], ["http://allowed.example"]], ids=["any origin", "one origin"])
@pytest.mark.parametrize("request_name", list(REQUESTS))
@pytest.mark.parametrize("answer_name", list(ANSWERS))
@pytest.mark.parametrize("as_tuple", [False, True], ids=["list", "tuple"])
def test_the_layer_answers_as_starlettes_does(origins, request_name, answer_name, as_tuple):
    method, headers = REQUESTS[request_name]
    starlettes, ours = (
        run(build, method, headers, ANSWERS[answer_name], as_tuple=as_tuple) for build in layers(origins)
    )
    assert ours == starlettes


def test_an_answer_without_origin_varies_on_it():
    sent, _, _, held = run(layers(["*"])[1], "GET", [], ANSWERS["plain"], as_tuple=False)
    assert sent[0]["headers"] == [*ANSWERS["plain"], (b"vary", b"Origin")]
    assert held == ANSWERS["plain"]  # the app's own list is left alone: the journal shows what the app answered
