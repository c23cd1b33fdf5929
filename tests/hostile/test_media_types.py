"""Media types are case-insensitive (RFC 9110 8.3.1): `APPLICATION/JSON` is JSON, for every body operation."""

from __future__ import annotations

import httpx
import pytest

from tests.hostile.conftest import (
    ENERGYCAP_IMPORT,
    ENERGYCAP_VERSION,
    ORACLE_READINGS,
    OVERIT_BATCH,
    TESMA_PATCH,
    credentials,
)

VENDOR_BODY_OPERATIONS = [
    ("overit", "PATCH", OVERIT_BATCH, b'[{"id": 3101, "value": 4.2}]'),
    ("oracle", "POST", ORACLE_READINGS,
     b'{"AssetNumber": "F0554-02", "MeterCode": "0554 HOURS", "ReadingDate": "2026-03-14T16:27:00-07:00", '
     b'"ReadingTypeCode": "ORA_ABSOLUTE", "MeterUsageCode": "ORA_ASSET", "ReadingValue": 1108.12}'),
    ("oracle", "PATCH", ORACLE_READINGS + "/300100141425958", b'{"DisabledFlag": true}'),
    ("energycap", "POST", ENERGYCAP_IMPORT, b'[{"channelId": 10001, "readings": []}]'),
    ("energycap", "PUT", ENERGYCAP_VERSION,
     b'{"maximumReading": 9999999, "multiplier": 2, "observationRule": "Odometer", "unitCode": "kWh"}'),
    ("tesma", "PATCH", TESMA_PATCH, b'[{"assetId": 111, "serialNumber": "CASE"}]'),
]  # fmt: skip


@pytest.mark.parametrize(("api", "method", "path", "body"), VENDOR_BODY_OPERATIONS, ids=lambda v: str(v)[:20])
@pytest.mark.parametrize("media_type", ["APPLICATION/JSON", "Application/Json; Charset=UTF-8"])
def test_vendor_operations_read_json_whatever_its_case(http, tenant, healthy, api, method, path, body, media_type):
    lower = {**credentials(api, tenant + "-lower"), "Content-Type": "application/json"}
    expected = http.request(method, path, content=body, headers=lower)
    upper = {**credentials(api, tenant), "Content-Type": media_type}
    response = http.request(method, path, content=body, headers=upper)
    assert response.status_code == expected.status_code, response.text[:300]


@pytest.mark.parametrize(
    ("path", "body"),
    [("/__admin/faults", b'{"rules": []}'), ("/__admin/clock", b'{"mode": "real"}')],
)
def test_admin_puts_read_json_whatever_its_case(http, healthy, path, body):
    assert http.put(path, content=body, headers={"Content-Type": "APPLICATION/JSON"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [("/__admin/faults", b'{"rules": []}'), ("/__admin/clock", b'{"mode": "real"}'), ("/__admin/clock", b"{}")],
)
def test_admin_puts_without_a_content_type_read_json_as_vendor_operations_do(http: httpx.Client, healthy, path, body):
    response = http.put(path, content=body)
    expected = http.put(path, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == expected.status_code < 500, response.text
