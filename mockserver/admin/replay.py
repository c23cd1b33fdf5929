""" "Send again": a journaled request sent once more, credential and all, through the whole mock (faults and journal
included), as its client sent it. Only the mock holds the credential; the page that asks never sees it."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
from starlette.responses import Response

from mockserver.qa.journal import Exchange

# Set again by the transport for the body it sends; the rest goes as it came.
_RECOMPUTED = {b"content-length", b"transfer-encoding"}


def kept_whole(entry: Exchange) -> bool:
    return sum(map(len, entry.request_chunks)) == entry.request_size


class Replay(Response):
    """Answers with what the mock answered to the request sent again: ``{"status": ...}``. The work happens when
    the response is sent, on the server's loop, where the app can be called."""

    media_type = "application/json"

    def __init__(self, app: Any, entry: Exchange) -> None:
        super().__init__(status_code=200)
        self._app = app
        self._entry = entry

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        entry = self._entry
        headers = [(name, value) for name, value in entry.request_headers if name.lower() not in _RECOMPUTED]
        target = entry.path + ("?" + entry.query.decode("latin-1") if entry.query else "")
        transport = httpx.ASGITransport(app=self._app, client=("127.0.0.1", 0))
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            answer = await client.request(entry.method, target, headers=headers, content=b"".join(entry.request_chunks))
        body = orjson.dumps({"status": answer.status_code})
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})  # fmt: skip
