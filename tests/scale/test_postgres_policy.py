"""When the PostgreSQL tests run: always in CI (failing without a server), elsewhere when one is there."""

from __future__ import annotations

import pytest

from tests import stores


@pytest.fixture
def no_server(monkeypatch):
    monkeypatch.delenv("AMC_TEST_POSTGRES_URL", raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(stores, "_answers", lambda host, port: False)
    return monkeypatch


def test_without_a_server_outside_ci_they_are_skipped(no_server):
    assert stores._admin_url() is None


def test_in_ci_they_run_even_without_a_server_and_so_fail(no_server):
    no_server.setenv("CI", "true")
    assert stores._admin_url() == stores.DEFAULT_POSTGRES_URL


def test_an_explicit_url_wins(no_server):
    no_server.setenv("AMC_TEST_POSTGRES_URL", "postgresql://someone@db.example/x")
    assert stores._admin_url() == "postgresql://someone@db.example/x"


def test_a_server_on_the_default_port_is_used(no_server):
    no_server.setattr(stores, "_answers", lambda host, port: (host, port) == ("127.0.0.1", 5432))
    assert stores._admin_url() == stores.DEFAULT_POSTGRES_URL


def test_the_summary_counts_only_postgresql_skips():
    class Report:
        def __init__(self, reason: str) -> None:
            self.longrepr = ("file", 1, f"Skipped: {reason}")

    reports = [Report(f"{stores.SKIP_REASON} on 127.0.0.1:5432"), Report("something else")]
    assert stores.postgres_skips(reports) == 1
