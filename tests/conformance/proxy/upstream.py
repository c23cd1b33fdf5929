"""A scripted origin for proxy tests: it answers what the test says and remembers what reached it, so a test
can see that the proxy changed nothing on the way."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.proxy.serve import ProxySettings, build
from tests.live_server import serve


@dataclass
class Answer:
    status: int = 200
    headers: list[tuple[bytes, bytes]] = field(default_factory=lambda: [(b"content-type", b"application/json")])
    chunks: list[bytes] = field(default_factory=lambda: [b"{}"])


@dataclass
class Origin:
    answer: Answer = field(default_factory=Answer)
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.seen.append(
            {
                "method": scope["method"],
                "path": scope["path"],
                "query": scope["query_string"],
                "headers": scope["headers"],
                "body": body,
            }
        )
        await send({"type": "http.response.start", "status": self.answer.status, "headers": self.answer.headers})
        for chunk in self.answer.chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def targets(tmp_path: Path, origins: dict[str, str], credential: str | None = None) -> Path:
    path = tmp_path / "targets.yaml"
    entries = {
        api: {"baseUrl": url, **({"credential": "${PROXY_TEST_KEY}"} if credential else {})}
        for api, url in origins.items()
    }
    path.write_text(json.dumps({"apis": entries}))
    return path


@contextmanager
def proxied(settings: ProxySettings, out: Any) -> Iterator[tuple[str, Any]]:
    """The proxy on a free loopback port; yields its URL and its observer."""
    app, observer = build(settings, out)
    try:
        with serve(app) as url:
            yield url, observer
    finally:
        if observer.writer is not None:
            observer.writer.close()
