"""`--admin-token`: with a token set, the admin API answers only requests carrying `Authorization: Bearer <token>`;
anything else gets 401 in the admin API's problem+json format before it is read or acted on.

`/__admin/health` stays open (liveness probes, and the conformance suite's check that a target is this mock; it
shows only the APIs served, the store dialect and the auth mode), and so do the admin API's docs (Swagger UI and
its OpenAPI document), which hold nothing the public contract does not, and the console's page and assets, which
hold no data: the page asks for the token and sends it with each admin call."""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable
from typing import Any

from connexion.security import BearerSecurityHandler

from mockserver.auth import bound_handler
from mockserver.vendor_errors import problem_json

Message = dict[str, Any]
ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]  # fmt: skip

ADMIN_PREFIX = "/__admin"
_OPEN = re.compile(r"/__admin/(health|ui(/.*)?|openapi\.json|console(/.*)?)")


class AdminGuard:
    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self._app = app
        self._expected = f"Bearer {token}".encode() if token else None

    def _admitted(self, scope: dict[str, Any]) -> bool:
        path = scope["path"]
        if self._expected is None or not (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")):
            return True
        if _OPEN.fullmatch(path):
            return True
        presented = [value for name, value in scope["headers"] if name.lower() == b"authorization"]
        return len(presented) == 1 and hmac.compare_digest(presented[0], self._expected)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self._expected is None or scope["type"] != "http" or self._admitted(scope):
            await self._app(scope, receive, send)
            return
        response = problem_json(401, "Unauthorized", "The admin API needs 'Authorization: Bearer <admin token>'")
        body = response.body if isinstance(response.body, bytes) else str(response.body).encode()
        headers = [
            (b"content-type", b"application/problem+json"),
            (b"www-authenticate", b'Bearer realm="mockserver admin"'),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 401, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def admin_security_map() -> dict[str, type]:
    """The contract declares the token (so Swagger UI can send it); checking it is the guard's job, before
    connexion sees the request, so connexion's own check accepts whatever reached it."""

    def admitted(token: str) -> dict[str, str]:
        return {"sub": "admin"}

    return {"bearer": bound_handler(BearerSecurityHandler, admitted)}
