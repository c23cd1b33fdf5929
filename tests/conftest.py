import uuid

import pytest
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.settings import Settings


@pytest.fixture
def make_client():
    """Builds a mock with the given settings and returns a test client for it."""
    clients = []

    def make(**settings) -> TestClient:
        client = TestClient(build_app(Settings(**settings)).asgi)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@pytest.fixture
def tenant() -> str:
    return f"test-{uuid.uuid4().hex}"
