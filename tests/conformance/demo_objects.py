"""The objects of our demo dataset (mockserver/fixtures/demo.yaml) under the names scenarios read from a targets
file: what a targets file for a mock started with the demo data would say."""

from __future__ import annotations

from typing import Any

DEMO_OBJECTS: dict[str, dict[str, Any]] = {
    "overit": {
        "account": 1001, "element": 2101, "toValidate": [3101],  # the only measure of 2101 To Validate
        "notToValidate": [{"element": 2101, "measure": 3100}], "otherAccount": {"element": 2501, "measure": 3501},
        "catalog": {"element": 2001, "measure": 3001, "code": 9002, "otherCode": 9101},
        "forwardMeter": {"element": 2201, "measure": 3201, "previousValue": 995, "takenExternalCode": "READ-2026-0000"},
        "backwardMeter": {"element": 2301, "measure": 3301, "previousValue": 5000},
        "noPrevious": {"account": 1002, "element": 2501, "measure": 3501},
    },
    "oracle": {
        "reading": 300100141425002,
        "ascendingMeter": {"AssetId": 300100117993593, "MeterId": 300100141395130, "maxValue": 1000000},
        "descendingMeter": {"AssetId": 300100117993594, "MeterId": 300100141395131},
        "changeMeter": {"AssetId": 300100117993594, "MeterId": 300100141395132},
        "inactiveMeter": {"AssetId": 300100117993594, "MeterId": 300100141395133},
        "rolloverMeter": {"AssetId": 300100117993592, "MeterId": 300100141395129, "rolloverMaxValue": 99999},
        "codeNotOnAsset": {"AssetNumber": "F0554-02", "MeterCode": "FUEL_GAUGE_DESC"},
    },
    "energycap": {
        "meter": 501, "channel": 10001, "otherMeter": 502, "otherVersion": 3, "numberUdf": 2, "selectUdf": 3,
        "otherUnit": "MWh", "edit": {"maximumReading": 9999999, "multiplier": 2, "observationRule": "Odometer",
                                     "unitCode": "kWh"},
        "onlyChannel": {"channelId": 10001, "channelImportId": "CH-ONE", "meterImportId": "MTR-ONE"},
        "otherChannel": {"channelId": 10005, "channelImportId": "CH-UNIT-MWH"},
        "byObservationType": {"meterImportId": "MTR-OBS", "observationTypeCode": "Demand", "channelId": 10003},
        "byUnit": {"meterImportId": "MTR-UNIT", "observationTypeCode": "Energy", "unitCode": "MWh", "channelId": 10005},
        "byInterval": {"meterImportId": "MTR-INTERVAL", "observationTypeCode": "Energy", "unitCode": "kWh",
                       "channelIntervalInSeconds": 3600, "channelId": 10007},
        "undecided": {"meterImportId": "MTR-TWINS", "observationTypeCode": "Energy", "unitCode": "kWh",
                      "channelIntervalInSeconds": 900},
        "odometer": {"channelId": 10001, "before": "2019-06-01T00:00:00Z", "maximumReading": 9999999},
    },
    "tesma": {"group": "ACME", "otherGroup": "GLOBEX", "assets": [111, 222, 444], "otherGroupAsset": 555,
              "missingAsset": 999999},
}  # fmt: skip
# The lease each demo asset is read back by (the vendor's asset read, TESMA-BP-021).
DEMO_OBJECTS["tesma"]["leases"] = {111: [47, 2894568], 222: [47, 2894568], 444: [47, 2894570]}
