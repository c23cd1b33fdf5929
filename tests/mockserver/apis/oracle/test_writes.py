"""Creating and disabling readings write with statements prepared once (Core compiled the INSERT of every create
anew, half of a create's time), and write the same rows as before, on every store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from starlette.testclient import TestClient

from mockserver.apis.oracle.tables import readings

READINGS = "/fscmRestApi/resources/11.13.18.05/meterReadings"
ITEM = "application/vnd.oracle.adf.resourceitem+json"
HOURS = {"AssetNumber": "F0554-02", "MeterCode": "0554 HOURS", "ReadingTypeCode": "ORA_ABSOLUTE"}


@pytest.fixture
def statements(client: TestClient) -> Iterator[list[str]]:
    """The Core statements the mock runs while the test does (prepared ones go past Core, unseen)."""
    engine = client.app.runtime.store.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def record(_connection: Any, clause: Any, *_: Any) -> None:
        seen.append(str(clause))

    event.listen(engine, "before_execute", record)
    yield seen
    event.remove(engine, "before_execute", record)


def _create(client: TestClient, tenant: str, date: str, value: float) -> dict[str, Any]:
    response = client.post(
        READINGS,
        json={**HOURS, "ReadingDate": date, "ReadingValue": value},
        auth=(tenant, "x"),
        headers={"Content-Type": ITEM},
    )
    assert response.status_code == 201, response.text
    return response.json()


def _writing_readings(statements: list[str]) -> list[str]:
    return [sql for sql in statements if sql.startswith(("INSERT", "UPDATE")) and readings.name in sql]


def test_creating_and_disabling_compile_no_statement_that_writes_readings(client, tenant, statements):
    _create(client, tenant, "2026-04-01T00:00:00Z", 1200)  # the tenant is seeded (Core) by its first request
    statements.clear()
    earlier = _create(client, tenant, "2026-04-02T00:00:00Z", 1300)
    _create(client, tenant, "2026-04-03T00:00:00Z", 1450)
    disabled = client.patch(
        f"{READINGS}/{earlier['MeterReadingId']}",
        json={"DisabledFlag": True},
        auth=(tenant, "x"),
        headers={"Content-Type": ITEM},
    )
    assert disabled.status_code == 200, disabled.text
    assert _writing_readings(statements) == []


def test_disabling_a_reading_cancels_the_later_ones_and_recreates_them(client, tenant):
    first = _create(client, tenant, "2026-04-01T00:00:00Z", 1200)
    earlier = _create(client, tenant, "2026-04-02T00:00:00Z", 1300)
    later = _create(client, tenant, "2026-04-03T00:00:00Z", 1450)
    response = client.patch(
        f"{READINGS}/{earlier['MeterReadingId']}",
        json={"DisabledFlag": True},
        auth=(tenant, "x"),
        headers={"Content-Type": ITEM},
    )
    assert (response.status_code, response.json()["DisabledFlag"]) == (200, True)
    assert client.get(f"{READINGS}/{later['MeterReadingId']}", auth=(tenant, "x")).status_code == 404  # canceled
    query = {"q": f"MeterId={first['MeterId']};ReadingDate>=2026-04-01T00:00:00Z", "orderBy": "ReadingDate"}
    kept = client.get(READINGS, params=query, auth=(tenant, "x")).json()["items"]
    assert [(item["ReadingValue"], item["DisabledFlag"]) for item in kept] == [
        (1200, False),
        (1300, True),
        (1450, False),
    ]
    recreated = kept[2]
    assert recreated["MeterReadingId"] > later["MeterReadingId"]
    assert recreated["ModifiedFlag"] is True
    assert recreated["NetValue"] == first["NetValue"] + 250  # counted from 1200: the disabled 1300 no longer counts
    assert recreated["ReadingDate"] == later["ReadingDate"]


def test_a_create_and_a_disable_answer_with_the_headers_the_request_asked_for(client, tenant):
    asked = {"Content-Type": ITEM, "Accept": "application/json", "REST-Framework-Version": "4", "Metadata-Context": "x"}
    body = {**HOURS, "ReadingDate": "2026-04-01T00:00:00Z", "ReadingValue": 1200}
    created = client.post(READINGS, json=body, auth=(tenant, "x"), headers=asked)
    disabled = client.patch(
        f"{READINGS}/{created.json()['MeterReadingId']}", json={"DisabledFlag": True}, auth=(tenant, "x"), headers=asked
    )
    for response in (created, disabled):
        assert response.status_code < 300, response.text
        framework = (response.headers["rest-framework-version"], response.headers["metadata-context"])
        assert (response.headers["content-type"], *framework) == ("application/json", "4", "x")
    assert created.headers["location"].endswith(f"{READINGS}/{created.json()['MeterReadingId']}")


def test_a_create_takes_the_next_id_of_the_tenant_and_dates_after_the_meters_last_active_reading(client, tenant):
    """The meter's last active reading (none, then disabled ones left out) and the tenant's next free id, whatever
    meter the highest id belongs to."""
    section = client.get("/__admin/state", params={"tenant": tenant}).json()["oracle"]
    emptied = client.post("/__admin/fixtures", params={"tenant": tenant}, json={"oracle": {**section, "readings": []}})
    assert emptied.status_code == 200, emptied.text
    first = _create(client, tenant, "2026-04-01T00:00:00Z", 1200)
    assert (first["MeterReadingId"], first["NetValue"]) == (300100000000001, 1200)
    other = client.post(
        READINGS,
        json={"AssetId": 300100117993594, "MeterId": 300100141395131, "ReadingTypeCode": "ORA_ABSOLUTE",
              "ReadingDate": "2026-04-01T00:00:00Z", "ReadingValue": 400},
        auth=(tenant, "x"),
        headers={"Content-Type": ITEM},
    )  # fmt: skip
    assert (other.status_code, other.json()["MeterReadingId"]) == (201, 300100000000002), other.text
    later = _create(client, tenant, "2026-04-03T00:00:00Z", 1300)
    assert (later["MeterReadingId"], later["NetValue"]) == (300100000000003, 1300)
    early = {**HOURS, "ReadingDate": "2026-04-02T00:00:00Z", "ReadingValue": 1250}
    refused = client.post(READINGS, json=early, auth=(tenant, "x"), headers={"Content-Type": ITEM})
    assert (refused.status_code, refused.json()["o:errorCode"]) == (400, "ORA_CSE_READING_DATE_NOT_LATEST")
    disabled = client.patch(
        f"{READINGS}/{later['MeterReadingId']}", json={"DisabledFlag": True}, auth=(tenant, "x"),
        headers={"Content-Type": ITEM},
    )  # fmt: skip
    assert disabled.status_code == 200, disabled.text
    accepted = _create(client, tenant, "2026-04-02T00:00:00Z", 1250)  # after the last reading still active
    assert (accepted["MeterReadingId"], accepted["NetValue"]) == (300100000000004, 1250)
