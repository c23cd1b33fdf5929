import uuid

import pytest
from starlette.testclient import TestClient

from mockserver.app import build_app
from mockserver.settings import Settings
from tests.stores import postgres_skips, postgres_url, shared_store_url  # noqa: F401  (fixtures)


@pytest.fixture
def store_settings() -> dict:
    """The store the mocks of a test use unless its settings name one; a test package may run on several."""
    return {}


@pytest.fixture
def make_client(store_settings):
    """Builds a mock with the given settings and returns a test client for it."""
    built = []

    def make(**settings) -> TestClient:
        app = build_app(Settings(**{**store_settings, **settings}))
        client = TestClient(app.asgi)
        built.append((client, app))
        return client

    yield make
    for client, app in built:
        client.close()
        app.runtime.store.dispose()  # a PostgreSQL server is shared: give its connections back


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


@pytest.fixture
def tenant() -> str:
    return f"test-{uuid.uuid4().hex}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    browser = sum(
        1 for report in terminalreporter.stats.get("skipped", []) if "browser tests skipped" in str(report.longrepr)
    )
    if browser:
        terminalreporter.write_line(
            f"QA console: {browser} browser test(s) SKIPPED, no Chromium (apt-get install chromium, or set CHROMIUM)",
            yellow=True,
            bold=True,
        )
    skipped = postgres_skips(terminalreporter.stats.get("skipped", []))
    if skipped:
        terminalreporter.write_line(
            f"PostgreSQL: {skipped} test(s) SKIPPED, no server on 127.0.0.1:5432 "
            "(set AMC_TEST_POSTGRES_URL, or CI=true to require one)",
            yellow=True,
            bold=True,
        )
