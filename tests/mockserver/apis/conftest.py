"""The API tests run on the default in-memory store and on PostgreSQL (when the session has a server), and once
more on the default store served by stock connexion (`plan_once=False`: every request routed through each layer,
everything looked up per request): the same cases, answered both ways.

One mock per module and store, the whole app (QA layer and body limit in the path): each test takes a fresh
tenant, the product's own isolation, so building an app per test (about 0.3 s) buys nothing. A test that needs
other settings builds its own with `make_client`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.settings import Settings


@pytest.fixture(scope="module", params=["memory", "postgresql", "stock-connexion"])
def store_settings(request: pytest.FixtureRequest) -> dict:
    if request.param == "memory":
        return {}
    if request.param == "stock-connexion":
        return {"plan_once": False}
    return {"store_url": request.getfixturevalue("postgres_url")}


@pytest.fixture(scope="module")
def client(store_settings: dict) -> Iterator[TestClient]:
    app = build_app(Settings(**store_settings))
    with TestClient(app) as client:
        yield client
    app.runtime.store.dispose()  # a PostgreSQL server is shared: give its connections back
