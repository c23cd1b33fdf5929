"""Date-times RFC 3339 allows but Python cannot hold (a leap second, year 0000, an offset that pushes the instant
past year 1 or 9999) are refused with the vendor's 400 and a message that says why, in every place they enter."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import (
    ENERGYCAP_IMPORT,
    ENERGYCAP_VERSION,
    ORACLE_READINGS,
    OVERIT_BATCH,
    assert_vendor_error,
    credentials,
)

UNREPRESENTABLE = [
    "2026-06-30T23:59:60Z",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59:59Z",
]
VERSION = {"maximumReading": 9999999, "multiplier": 2, "observationRule": "Odometer", "unitCode": "kWh"}


def _sends(moment: str) -> list[tuple[str, str, str, dict]]:
    return [
        ("overit", "PATCH", OVERIT_BATCH, {"json": [{"id": 3101, "value": 4.2, "measuringDate": moment}]}),
        ("oracle", "POST", ORACLE_READINGS, {"json": {
            "AssetNumber": "F0554-02", "MeterCode": "0554 HOURS", "ReadingDate": moment,
            "ReadingTypeCode": "ORA_ABSOLUTE", "MeterUsageCode": "ORA_ASSET", "ReadingValue": 1}}),
        ("oracle", "GET", ORACLE_READINGS, {"params": {"q": f"ReadingDate > '{moment}'"}}),
        ("energycap", "POST", ENERGYCAP_IMPORT,
         {"json": [{"channelId": 10001, "readings": [{"time": moment, "value": 1}]}]}),
        ("energycap", "GET", "/api/v3/channel/10001/reading", {"params": {"beginDate": moment}}),
        ("energycap", "GET", "/api/v3/channel/10001/reading", {"params": {"endDate": moment}}),
        ("energycap", "PUT", ENERGYCAP_VERSION, {"json": {**VERSION, "beginDate": moment}}),
    ]  # fmt: skip


@pytest.mark.parametrize("moment", UNREPRESENTABLE)
def test_every_date_input_refuses_what_python_cannot_hold(http, tenant, healthy, moment):
    for api, method, path, request in _sends(moment):
        response = http.request(method, path, headers=credentials(api, tenant), **request)
        assert_vendor_error(api, response, 400)
        assert "outside" in response.text or "represent" in response.text, response.text  # it says why


@pytest.mark.parametrize("moment", UNREPRESENTABLE)
def test_the_clock_refuses_to_freeze_there_and_stays_as_it_was(http, healthy, moment):
    before = http.get("/__admin/clock").json()
    response = http.put("/__admin/clock", json={"mode": "frozen", "at": moment})
    assert_vendor_error("admin", response, 400)
    assert http.get("/__admin/clock").json()["mode"] == before["mode"]


def test_a_date_alone_at_the_edge_is_refused_too(http, tenant, healthy):
    response = http.post(ORACLE_READINGS, headers=credentials("oracle", tenant), json={
        "MeterId": 789789898, "ReadingDate": "9999-12-31", "ReadingTypeCode": "ORA_ABSOLUTE",
        "MeterUsageCode": "ORA_CONTRACT_LINE", "ReadingValue": 20})  # fmt: skip
    assert_vendor_error("oracle", response, 400)
