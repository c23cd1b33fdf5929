"""Where the store tests run: SQLite in a file always, PostgreSQL when a server is there (always in CI).

PostgreSQL policy: with ``CI=true`` the PostgreSQL tests run and fail when the server is missing;
elsewhere they run when ``AMC_TEST_POSTGRES_URL`` names a server or one answers on 127.0.0.1:5432
(trust auth, database ``test``, user ``postgres``), and are skipped otherwise, which the summary says.
Each test session (each pytest-xdist worker) works in a database of its own, dropped at the end.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from mockserver.store import Store, StoreError
from mockserver.store.scratch import scratch_database

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SKIP_REASON = "PostgreSQL tests skipped: no server"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _admin_url() -> str | None:
    """The server to create the session's database on, or None when the tests may be skipped."""
    explicit = os.environ.get("AMC_TEST_POSTGRES_URL")
    if explicit:
        return explicit
    if os.environ.get("CI", "").lower() == "true" or _answers("127.0.0.1", 5432):
        return DEFAULT_POSTGRES_URL
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    server_url = _admin_url()
    if server_url is None:
        pytest.skip(f"{SKIP_REASON} on 127.0.0.1:5432 (set AMC_TEST_POSTGRES_URL, or CI=true to require one)")
    with ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_database(server_url, "amc_test"))
        except StoreError as error:  # CI or an explicit URL: a missing server is a failure, not a skip
            pytest.fail(f"PostgreSQL is required here: {error}")
        yield url


@pytest.fixture(params=["sqlite-file", "postgresql"])
def shared_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store several processes can share; PostgreSQL tests reuse the session's database."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'store.db'}"


def postgres_skips(reports: list[pytest.TestReport]) -> int:
    return sum(1 for report in reports if SKIP_REASON in str(report.longrepr))


@contextmanager
def held_open(store: Store, first: Callable[[object], object] | None = None) -> Iterator[threading.Thread]:
    """A unit of work of ``store`` held open in another thread for the duration (``first``: what it does with its
    connection before it waits), then let end; yields the thread holding it."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.transaction() as connection:
            if first is not None:
                first(connection)
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10), "the unit of work never began"
        yield thread
    finally:
        release.set()
        thread.join(30)
