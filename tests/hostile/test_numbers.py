"""Numbers past what the store holds (int64, a finite float) are refused with the vendor's 4xx, never a 500."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import ENERGYCAP_VERSION, ORACLE_READINGS, assert_vendor_error, credentials

HUGE = "9" * 5000

PATH_PARAMETER_OPERATIONS = [
    ("overit", "PATCH", f"/assets/r1/accounts/{HUGE}/measuring-elements/2101/measures/batch", [{"id": 3101}]),
    ("overit", "PATCH", f"/assets/r1/accounts/1001/measuring-elements/{HUGE}/measures/batch", [{"id": 3101}]),
    ("oracle", "GET", f"{ORACLE_READINGS}/{HUGE}", None),
    ("oracle", "PATCH", f"{ORACLE_READINGS}/{HUGE}", {"DisabledFlag": True}),
    ("energycap", "GET", f"/api/v3/channel/{HUGE}/reading", None),
    ("energycap", "GET", f"/api/v202101/meter/{HUGE}/channel/10001", None),
    ("energycap", "PUT", f"/api/v202101/meter/501/channel/10001/version/{HUGE}", {}),
    ("tesma", "GET", f"/v1/leases/assets/bulkpatches/{HUGE}", None),
]


@pytest.mark.parametrize(("api", "method", "path", "body"), PATH_PARAMETER_OPERATIONS, ids=lambda v: str(v)[:30])
@pytest.mark.parametrize("digits", [HUGE, "9223372036854775808"], ids=["5000-digits", "2^63"])
def test_path_parameters_past_int64_are_refused(http, tenant, healthy, api, method, path, body, digits):
    response = http.request(method, path.replace(HUGE, digits), headers=credentials(api, tenant), json=body)
    assert_vendor_error(api, response)


@pytest.mark.parametrize("delta", ["1e308", "-1e308"])
def test_an_overit_delta_that_no_counter_can_hold_is_refused(http, tenant, healthy, delta):
    response = http.patch(
        "/assets/r1/accounts/1001/measuring-elements/2201/measures/batch",
        headers={**credentials("overit", tenant), "Content-Type": "application/json"},
        content=f'[{{"id": 3201, "deltaValue": {delta}}}]'.encode(),
    )
    assert_vendor_error("overit", response, 400)


def test_an_oracle_meter_id_past_int64_names_no_meter(http, tenant, healthy):
    response = http.post(ORACLE_READINGS, headers=credentials("oracle", tenant), json={
        "MeterId": "9999999999999999999", "ReadingDate": "2026-01-01T00:00:00Z", "ReadingTypeCode": "ORA_ABSOLUTE",
        "MeterUsageCode": "ORA_CONTRACT_LINE", "ReadingValue": 1})  # fmt: skip
    assert_vendor_error("oracle", response, 400)


@pytest.mark.parametrize("value", ["nan", "NaN", "Infinity", "-inf", "1e400"])
def test_energycap_number_udfs_take_finite_numbers_only(http, tenant, healthy, value):
    body = {"maximumReading": 9999999, "multiplier": 2, "observationRule": "Odometer", "unitCode": "kWh",
            "udfs": [{"udfId": 2, "value": value}]}  # fmt: skip
    response = http.put(ENERGYCAP_VERSION, headers=credentials("energycap", tenant), json=body)
    assert_vendor_error("energycap", response, 400)
    assert response.json()["code"] == "INVALID_UDF_VALUE"
