"""Where the store tests run: SQLite in a file always, PostgreSQL when a server is there (always in CI).

PostgreSQL policy: with ``CI=true`` the PostgreSQL tests run and fail when the server is missing;
elsewhere they run when ``AMC_TEST_POSTGRES_URL`` names a server or one answers on 127.0.0.1:5432
(trust auth, database ``test``, user ``postgres``), and are skipped otherwise, which the summary says.
Each test session (each pytest-xdist worker) works in a database of its own, dropped at the end.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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
    admin_url = _admin_url()
    if admin_url is None:
        pytest.skip(f"{SKIP_REASON} on 127.0.0.1:5432 (set AMC_TEST_POSTGRES_URL, or CI=true to require one)")
    admin = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"amc_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # CI or an explicit URL: a missing server is a failure, not a skip
        engine.dispose()
        pytest.fail(f"PostgreSQL at {admin.render_as_string(hide_password=True)} is required here: {error}")
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(params=["sqlite-file", "postgresql"])
def shared_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store several processes can share; PostgreSQL tests reuse the session's database."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'store.db'}"


def postgres_skips(reports: list[pytest.TestReport]) -> int:
    return sum(1 for report in reports if SKIP_REASON in str(report.longrepr))
