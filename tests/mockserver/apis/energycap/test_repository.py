"""The import's reads (a group's channel, the times a channel already has) run as statements prepared once: Core
compiled them for every group, most of an import's time. They read what Core read, on every store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from mockserver.apis.energycap import repository
from mockserver.apis.energycap.tables import channels
from mockserver.app import build_app
from mockserver.settings import Settings


def _version(version_id: int, begin: str | None, end: str | None, unit: str = "kWh") -> dict:
    version = {
        "versionId": version_id,
        "unitCode": unit,
        "multiplier": 2,
        "maximumReading": 50,
        "observationRule": "Trip",
    }
    return {**version, **({"beginDate": begin} if begin else {}), **({"endDate": end} if end else {})}


SECTION = {
    "meters": [{"meterId": 1, "meterImportId": "M1"}],
    "channels": [
        # Versions listed out of order: a channel's versions read oldest first, the one without a begin first.
        {"channelId": 7, "meterId": 1, "channelImportId": "C7", "intervalSeconds": 900, "observationTypeCode": "Energy",
         "versions": [_version(2, "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"),
                      _version(3, "2025-01-01T00:00:00Z", None, "MWh"),
                      _version(1, None, "2024-01-01T00:00:00Z")]},
        {"channelId": 8, "meterId": 1, "channelImportId": "C8", "observationTypeCode": "Demand",
         "versions": [_version(4, None, None, "kW")]},
        {"channelId": 9, "meterId": 1, "channelImportId": "C8", "observationTypeCode": "Demand",
         "versions": [_version(5, None, None, "kW")]},
    ],
    "readings": [{"channelId": 7, "time": f"2026-01-01T0{hour}:00:00Z", "value": 1} for hour in (1, 2, 3)],
}  # fmt: skip


def _load(client: TestClient, tenant: str) -> None:
    assert client.post("/__admin/fixtures", params={"tenant": tenant}, json={"energycap": SECTION}).status_code == 200


def test_a_channel_reads_as_through_core(client, tenant):
    _load(client, tenant)
    with client.app.runtime.unit_of_work(tenant) as connection:
        catalog = repository.catalog(connection, tenant)
        for channel_id in (7, 8, 9, 10):
            core = repository.channels_where(connection, tenant, channels.c.channel_id == channel_id)
            assert repository.channel_by_id(connection, tenant, channel_id) == (core[0] if core else None)
            assert catalog.by_id(channel_id) == (core[0] if core else None)
        for import_id in ("C7", "C8", "none"):
            core = repository.channels_where(connection, tenant, channels.c.channel_import_id == import_id)
            assert catalog.by_import_id(import_id) == (core[0] if core else None)
        seven = catalog.by_id(7)
        shared = catalog.by_import_id("C8")
    assert [version.version_id for version in seven.versions] == [1, 2, 3]
    assert (seven.versions[0].begin, seven.versions[1].end) == (None, datetime(2025, 1, 1, tzinfo=UTC))
    assert (seven.interval_seconds, seven.channel_import_id, seven.unit_code) == (900, "C7", "MWh")
    assert shared.channel_id == 8  # an import id two channels share: the lower id, as before


def test_the_taken_times_are_the_stored_ones_among_those_asked(client, tenant):
    _load(client, tenant)
    asked = [datetime(2026, 1, 1, hour, tzinfo=UTC) for hour in (0, 2, 3, 5)]
    with client.app.runtime.unit_of_work(tenant) as connection:
        assert repository.taken_times(connection, tenant, 7, asked) == set(asked[1:3])
        assert repository.taken_times(connection, tenant, 8, asked) == set()
        assert repository.taken_times(connection, tenant, 7, []) == set()


@pytest.fixture
def core_statements() -> Iterator[tuple[TestClient, list[str]]]:
    app = build_app(Settings())
    statements: list[str] = []
    event.listen(app.runtime.store.engine, "before_execute", lambda _c, clause, *_: statements.append(str(clause)))
    with TestClient(app) as client:
        yield client, statements
    app.runtime.store.dispose()


def test_an_import_compiles_no_statement_for_its_groups(core_statements, tenant):
    client, statements = core_statements
    _load(client, tenant)
    groups = [
        {
            "channelId": 7,
            "readings": [{"time": "2026-01-01T02:00:00Z", "value": 1}, {"time": "2026-02-01", "value": 2}],
        },
        {"channelImportId": "C8", "readings": [{"time": "2026-02-01", "value": 3}]},
    ]
    statements.clear()
    imported = client.post("/api/v3/reading", json=groups, headers={"ECI-ApiKey": tenant}).json()
    assert (imported["importedReadingsCount"], imported["failedReadingsCount"]) == (2, 1)
    assert [sql for sql in statements if "ecap_" in sql] == []
