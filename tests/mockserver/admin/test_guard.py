"""The admin token guard on its own: which paths it locks, and what it accepts."""

import asyncio

import pytest

from mockserver.admin.guard import AdminGuard


def answer(guard: AdminGuard, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "GET", "path": path, "headers": headers}
    asyncio.run(guard(scope, receive, send))
    return sent[0]["status"]


async def behind(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


TOKEN = [(b"authorization", b"Bearer t0k")]


@pytest.mark.parametrize("path", ["/__admin/state", "/__admin", "/__admin/faults", "/__admin/healthz"])
def test_admin_paths_need_the_token(path):
    guard = AdminGuard(behind, "t0k")
    assert answer(guard, path, []) == 401
    assert answer(guard, path, [(b"authorization", b"Bearer t0")]) == 401
    assert answer(guard, path, [*TOKEN, (b"authorization", b"Bearer other")]) == 401
    assert answer(guard, path, TOKEN) == 200


@pytest.mark.parametrize("path", ["/__admin/health", "/__admin/ui/", "/__admin/openapi.json", "/api/v3/reading", "/"])
def test_health_docs_and_the_vendor_apis_stay_open(path):
    assert answer(AdminGuard(behind, "t0k"), path, []) == 200


def test_no_token_no_lock():
    assert answer(AdminGuard(behind, None), "/__admin/state", []) == 200
