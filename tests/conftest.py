import uuid

import pytest
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.settings import Settings
from tests.stores import postgres_skips, postgres_url, shared_store_url  # noqa: F401  (fixtures)


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


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = postgres_skips(terminalreporter.stats.get("skipped", []))
    if skipped:
        terminalreporter.write_line(
            f"PostgreSQL: {skipped} test(s) SKIPPED, no server on 127.0.0.1:5432 "
            "(set AMC_TEST_POSTGRES_URL, or CI=true to require one)",
            yellow=True,
            bold=True,
        )
