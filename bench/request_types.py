"""The five requests issue 14 measures, each valid, with the dataset our mock needs to answer it 2xx and the
path Prism serves it under (Prism drops the contract's base path).

A request type gives a fresh `Shape` per run: Oracle POSTs must each be later than their meter's last reading,
so every run sends its own dates, spread over many meters so that no two requests in flight name one meter."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from load import Shape

import asset_meter_specs

ORACLE = "/fscmRestApi/resources/11.13.18.05"
ORACLE_METERS = 256
ORACLE_POSTS_PER_RUN = 40_000
START = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class RequestType:
    name: str
    title: str
    spec_file: str
    base_path: str
    tenant: str
    fixture: dict
    shape: Callable[[int, str], Shape]
    """The request of run ``n`` under ``base_path``, with ``tenant``'s credential."""

    def ours(self, run: int) -> Shape:
        return self.shape(run, self.base_path)

    def prisms(self, run: int) -> Shape:
        return self.shape(run, "")

    @property
    def spec(self) -> Path:
        return asset_meter_specs.spec_path(self.spec_file)


def _json(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def _basic(user: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:x".encode()).decode()


# -- OverIT: a valid 50-item measures batch ------------------------------------------------------------


def overit_fixture() -> dict:
    measures = [{"id": 1000 + n, "status": "TO_VALIDATE", "measuringDate": "2026-11-10T00:00:00Z"} for n in range(50)]
    measures.append({"id": 999, "status": "VALIDATED", "measuringDate": "2026-11-01T00:00:00Z", "value": 1})
    return {
        "overit": {
            "characteristics": [{"id": 1, "kind": "plain"}],
            "accounts": [{"id": 1, "measuringElements": [{"id": 10, "characteristicId": 1, "measures": measures}]}],
        }
    }


def overit_batch(tenant: str | None, base: str = "/assets/r1", *, refused: bool = False) -> Shape:
    """Without a tenant, no credential; ``refused``: the last item names a validated measure, so the whole batch is
    refused (OVERIT rules)."""
    items = [
        {"id": 1000 + n, "measuringUserId": 77, "measuringDate": "2026-11-20T08:30:00Z", "value": 4.2 + n,
         "note": "Pressure checked after repair"}
        for n in range(50)
    ]  # fmt: skip
    if refused:
        items[-1]["id"] = 999
    headers = {"Content-Type": "application/json"}
    if tenant is not None:
        headers["Authorization"] = f"Bearer {tenant}"
    return Shape("PATCH", f"{base}/accounts/1/measuring-elements/10/measures/batch", headers, _json(items))


# -- Oracle: one reading by id, and creating readings ----------------------------------------------------


def oracle_fixture(meters: int) -> dict:
    return {
        "oracle": {
            "assets": [{"assetId": 1, "assetNumber": "BENCH-1"}],
            "meterTemplates": [{"meterDefinitionId": 1, "meterCode": "HOURS", "readingType": "ORA_ABSOLUTE"}],
            "meters": [
                {"meterId": 10 + n, "meterDefinitionId": 1, "usageCode": "ORA_ASSET", "assetId": 1,
                 "activeStartDate": "2019-01-01T00:00:00Z"}
                for n in range(meters)
            ],
            "readings": [
                {"meterReadingId": 1, "meterId": 10, "readingTypeCode": "ORA_ABSOLUTE", "readingValue": 0,
                 "readingDate": START.isoformat()},
            ],
        }
    }  # fmt: skip


def oracle_get(run: int, base: str, tenant: str = "bench-oracle-get") -> Shape:
    return Shape("GET", f"{base}/meterReadings/1", {"Authorization": _basic(tenant)})


def oracle_post(run: int, base: str, tenant: str = "bench-oracle-post") -> Shape:
    """Run ``run``'s readings: reading i goes to meter i mod 256, a second after the one before, on day run+1."""
    day = START + timedelta(days=1 + run)
    bodies = tuple(
        _json({"AssetId": 1, "MeterId": 10 + i % ORACLE_METERS, "ReadingTypeCode": "ORA_ABSOLUTE",
               "ReadingValue": (run + 1) * 100_000 + i, "ReadingDate": (day + timedelta(seconds=i)).isoformat()})
        for i in range(ORACLE_POSTS_PER_RUN)
    )  # fmt: skip
    headers = {"Content-Type": "application/vnd.oracle.adf.resourceitem+json", "Authorization": _basic(tenant)}
    return Shape("POST", f"{base}/meterReadings", headers, sequence=bodies)


# -- EnergyCAP: one import of 1,000 readings over 10 channels ---------------------------------------------


def energycap_fixture(channels: int = 10) -> dict:
    version = {"versionId": 1, "unitCode": "kWh", "multiplier": 1, "maximumReading": 0, "observationRule": "Trip"}
    return {
        "energycap": {
            "meters": [{"meterId": 1, "meterImportId": "BENCH"}],
            "channels": [
                {"channelId": n, "meterId": 1, "channelImportId": f"C{n}", "intervalSeconds": 900,
                 "observationTypeCode": "Energy", "versions": [{**version, "versionId": n}]}
                for n in range(1, channels + 1)
            ],
        }
    }  # fmt: skip


def energycap_import(
    run: int, base: str, tenant: str = "bench-energycap", channels: int = 10, each: int = 100
) -> Shape:
    groups = [
        {"channelId": n, "readings": [
            {"time": (START + timedelta(minutes=15 * i)).isoformat(), "value": float(i % 97)} for i in range(each)
        ]}
        for n in range(1, channels + 1)
    ]  # fmt: skip
    return Shape(
        "POST", f"{base}/v3/reading", {"Content-Type": "application/json", "ECI-ApiKey": tenant}, _json(groups)
    )


# -- tesma: a bulk patch of 100 assets ---------------------------------------------------------------------


def tesma_fixture(assets: int = 100) -> dict:
    return {
        "tesma": {
            "corporateGroups": [{"name": "ACME", "customerSpecificFields": ["Employee name"]}],
            "assets": [
                {"assetId": n, "corporateGroup": "ACME", "serialNumber": f"SN-{n}"} for n in range(1, assets + 1)
            ],
        }
    }


def tesma_patch(run: int, base: str, tenant: str = "bench-tesma", assets: int = 100) -> Shape:
    body = [
        {"assetId": n, "serialNumber": f"R{run}-{n}", "location": "Hall 7, rack 12", "costCenter": "70998",
         "customerSpecificFields": {"Employee name": "Hans Peter"}}
        for n in range(1, assets + 1)
    ]  # fmt: skip
    headers = {"Content-Type": "application/json", "X-API-KEY": tenant, "CorporateGroup-Name": "ACME"}
    return Shape("PATCH", f"{base}/leases/assets", headers, _json(body))


REQUEST_TYPES = (
    RequestType("overit-batch", "OverIT PATCH, valid 50-item batch", "overit-measures.yaml", "/assets/r1",
                "bench-overit", overit_fixture(), lambda run, base: overit_batch("bench-overit", base)),
    RequestType("oracle-get", "Oracle GET one meter reading by id", "oracle-meter-readings.yaml", ORACLE,
                "bench-oracle-get", oracle_fixture(1), oracle_get),
    RequestType("oracle-post", "Oracle POST one meter reading", "oracle-meter-readings.yaml", ORACLE,
                "bench-oracle-post", oracle_fixture(ORACLE_METERS), oracle_post),
    RequestType("energycap-import", "EnergyCAP POST, 1,000-reading import", "energycap-readings.yaml", "/api",
                "bench-energycap", energycap_fixture(), energycap_import),
    RequestType("tesma-patch", "tesma PATCH, 100-asset bulk patch", "tesma-lease-assets.yaml", "/v1",
                "bench-tesma", tesma_fixture(), tesma_patch),
)  # fmt: skip
BY_NAME = {request.name: request for request in REQUEST_TYPES}
