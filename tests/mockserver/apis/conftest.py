"""The API tests run on the default in-memory store and on PostgreSQL (when the session has a server)."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["memory", "postgresql"])
def store_settings(request: pytest.FixtureRequest) -> dict:
    if request.param == "memory":
        return {}
    return {"store_url": request.getfixturevalue("postgres_url")}
