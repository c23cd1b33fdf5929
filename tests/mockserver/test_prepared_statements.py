"""What every request reads on a shared store (is the tenant there, what may its credential do) is read with
statements prepared once, not Core statements SQLAlchemy compiles for each request."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from mockserver.apis.oracle.tables import privileges
from mockserver.apis.overit.tables import permissions
from mockserver.app import build_app
from mockserver.settings import Settings
from mockserver.store.tables import tenants

ORACLE = "/fscmRestApi/resources/11.13.18.05/meterReadings"
OVERIT_BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"
PER_REQUEST_TABLES = (tenants.name, privileges.name, permissions.name)


@pytest.fixture
def compiled(tmp_path: Path) -> Iterator[tuple[TestClient, list[str]]]:
    """A mock on a SQLite file (a store workers share, so no tenant is remembered) and the Core statements it runs."""
    app = build_app(Settings(store_url=f"sqlite:///{tmp_path / 'shared.db'}"))
    statements: list[str] = []
    event.listen(app.runtime.store.engine, "before_execute", lambda _c, clause, *_: statements.append(str(clause)))
    with TestClient(app) as client:
        yield client, statements
    app.runtime.store.dispose()


def _naming_per_request_tables(statements: list[str]) -> list[str]:
    reading = re.compile(rf"\bFROM \"?({'|'.join(PER_REQUEST_TABLES)})\b")
    return [sql for sql in statements if reading.search(sql)]


def test_an_oracle_read_compiles_no_tenant_or_privilege_query(compiled, tenant):
    client, statements = compiled
    headers = {"Authorization": "Basic " + base64.b64encode(f"{tenant}:x".encode()).decode()}
    [first] = client.get(ORACLE, params={"limit": 1}, headers=headers).json()["items"]
    statements.clear()
    assert client.get(f"{ORACLE}/{first['MeterReadingId']}", headers=headers).status_code == 200
    assert _naming_per_request_tables(statements) == []


def test_an_overit_batch_compiles_no_tenant_or_permission_query(compiled, tenant):
    client, statements = compiled
    headers = {"Authorization": f"Bearer {tenant}"}
    assert client.patch(OVERIT_BATCH, headers=headers, json=[{"id": 3101, "value": 4.2}]).status_code == 200
    statements.clear()
    assert client.patch(OVERIT_BATCH, headers=headers, json=[{"id": 3101, "value": 4.3}]).status_code == 200
    assert _naming_per_request_tables(statements) == []
