"""A request whose store work blocks does not hold up anyone else's: handlers run in worker threads."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from mockserver.app import build_app
from mockserver.worker_threads import off_the_loop
from tests.live_server import serve


def test_other_requests_are_answered_while_a_handler_is_busy():
    app = build_app()
    seeding, release = app.runtime.tenants.ensure, threading.Event()

    def slow_for_one_tenant(connection, tenant):
        if tenant == "busy":
            assert release.wait(20), "never released"
        return seeding(connection, tenant)

    app.runtime.tenants.ensure = slow_for_one_tenant
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        reading = "/api/v3/channel/10001/reading"
        busy = threading.Thread(target=lambda: http.get(reading, headers={"ECI-ApiKey": "busy"}))
        busy.start()
        try:
            with httpx.Client(base_url=url, timeout=5) as other:
                assert other.get("/__admin/health").status_code == 200
        finally:
            release.set()
            busy.join(20)


def test_a_handler_that_awaits_is_refused_rather_than_run_half():
    async def awaits() -> None:
        await asyncio.sleep(0)

    with pytest.raises(RuntimeError, match="must not await"):
        asyncio.run(off_the_loop(awaits)())
