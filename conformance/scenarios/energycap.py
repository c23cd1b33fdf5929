"""EnergyCAP readings import: one scenario per x-rules entry of specs/energycap-readings.yaml.

The import scenarios need a particular arrangement of meters and channels and are marked `seeded` (our mock
only); the refusals need no existing object and run against any target, read-only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from conformance.contracts import Contract
from conformance.expect import expect_outcome, expect_status, rule
from conformance.target import ApiClient, Target

API = "energycap"


def _channel(channel_id: int, meter: int, import_id: str, kind: str, unit: str, interval: int = 900,
             maximum: float = 0, begin: str | None = None) -> dict[str, Any]:  # fmt: skip
    version: dict[str, Any] = {"versionId": channel_id, "unitCode": unit, "multiplier": 1, "maximumReading": maximum,
                               "observationRule": "Odometer" if maximum else "Trip"}  # fmt: skip
    if begin:
        version["beginDate"] = begin
    return {"channelId": channel_id, "meterId": meter, "channelImportId": import_id, "intervalSeconds": interval,
            "observationTypeCode": kind, "versions": [version]}  # fmt: skip


# Meter ONE has one channel (an odometer from 2020, rolling over at 1000); OBS's channels differ by
# observation type, UNIT's by unit, INT's by interval; TWINS's not even by interval.
SECTION: dict[str, Any] = {
    "meters": [
        {"meterId": 1, "meterImportId": "ONE"}, {"meterId": 2, "meterImportId": "OBS"},
        {"meterId": 3, "meterImportId": "UNIT"}, {"meterId": 4, "meterImportId": "INT"},
        {"meterId": 5, "meterImportId": "TWINS"},
    ],
    "channels": [
        _channel(11, 1, "C-ONE", "Energy", "kWh", maximum=1000, begin="2020-01-01T00:00:00Z"),
        _channel(21, 2, "C-OBS-E", "Energy", "kWh"), _channel(22, 2, "C-OBS-D", "Demand", "kW"),
        _channel(31, 3, "C-UNIT-K", "Energy", "kWh"), _channel(32, 3, "C-UNIT-M", "Energy", "MWh"),
        _channel(41, 4, "C-INT-15", "Energy", "kWh", 900), _channel(42, 4, "C-INT-60", "Energy", "kWh", 3600),
        _channel(51, 5, "C-TW-A", "Energy", "kWh"), _channel(52, 5, "C-TW-B", "Energy", "kWh"),
    ],
    "readings": [{"channelId": 11, "time": "2026-01-01T00:00:00Z", "value": 500}],
}  # fmt: skip

T1, T2 = "2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z"


def error_code(body: Any) -> str | None:
    return body.get("code") if isinstance(body, dict) else None


class EnergyCap:
    def __init__(self, client: ApiClient, contract: Contract) -> None:
        self.client = client
        self.contract = contract

    def post(self, body: Any) -> httpx.Response:
        return self.client.request("POST", "/v3/reading", json=body)

    def imported(self, groups: list[dict[str, Any]]) -> dict[str, Any]:
        response = self.post(groups)
        expect_status(response, 200, "an import answers 200 with its outcome")
        return response.json()

    def readings(self, channel_id: int, **params: str) -> list[dict[str, Any]]:
        response = self.client.request("GET", f"/v3/channel/{channel_id}/reading", params=params)
        expect_status(response, 200, f"reading back channel {channel_id}")
        return response.json()["readings"]

    def lands_on(self, group: dict[str, Any], channel_id: int) -> None:
        """The group's one reading is imported, and onto ``channel_id``."""
        outcome = self.imported([{**group, "readings": [{"time": T1, "value": 7}]}])
        assert outcome["importedReadingsCount"] == 1, outcome
        landed = {r["time"]: r["value"] for r in self.readings(channel_id)}
        assert landed.get(T1) == 7, f"the reading did not land on channel {channel_id}: {landed}"

    def group_fails(self, group: dict[str, Any], why: str) -> None:
        outcome = self.imported([{**group, "readings": [{"time": T1, "value": 7}, {"time": T2, "value": 8}]}])
        assert (outcome["importedReadingsCount"], outcome["failedReadingsCount"]) == (0, 2), outcome
        [failed] = outcome["failedReadings"]
        assert failed.get("error"), f"{why}: the group's error must say why: {failed}"
        assert len(failed["readings"]) == 2 and all(r.get("error") for r in failed["readings"]), failed

    def expect(self, response: httpx.Response, rule_id: str) -> None:
        expect_outcome(response, self.contract.rule(rule_id), error_code)


seeded = pytest.mark.seeded


@pytest.fixture
def energycap(target: Target, contracts: dict[str, Contract]) -> EnergyCap:
    client, _objects = target.scenario_client(contracts[API], SECTION, {})
    return EnergyCap(client, contracts[API])


@rule("ECAP-RD-001")
@seeded
def test_a_channel_id_names_the_channel(energycap: EnergyCap) -> None:
    energycap.lands_on({"channelId": 22, "meterImportId": "ONE"}, 22)
    energycap.group_fails({"channelId": 999}, "unknown channelId")


@rule("ECAP-RD-002")
@seeded
def test_a_channel_import_id_names_the_channel(energycap: EnergyCap) -> None:
    energycap.lands_on({"channelImportId": "C-UNIT-M", "meterImportId": "ONE"}, 32)
    energycap.group_fails({"channelImportId": "NOPE"}, "unknown channelImportId")


@rule("ECAP-RD-003")
@seeded
def test_a_meter_with_one_channel_takes_the_reading(energycap: EnergyCap) -> None:
    energycap.lands_on({"meterImportId": "ONE", "observationTypeCode": "Demand"}, 11)


@rule("ECAP-RD-004")
@seeded
def test_the_observation_type_picks_among_a_meters_channels(energycap: EnergyCap) -> None:
    energycap.lands_on({"meterImportId": "OBS", "observationTypeCode": "Demand"}, 22)


@rule("ECAP-RD-005")
@seeded
def test_the_unit_picks_among_channels_of_one_observation_type(energycap: EnergyCap) -> None:
    energycap.lands_on({"meterImportId": "UNIT", "observationTypeCode": "Energy", "unitCode": "MWh"}, 32)


@rule("ECAP-RD-006")
@seeded
def test_the_interval_picks_among_channels_of_one_unit(energycap: EnergyCap) -> None:
    group = {
        "meterImportId": "INT",
        "observationTypeCode": "Energy",
        "unitCode": "kWh",
        "channelIntervalInSeconds": 3600,
    }
    energycap.lands_on(group, 42)


@rule("ECAP-RD-007")
@seeded
@pytest.mark.parametrize(
    "group",
    [{"meterImportId": "TWINS", "observationTypeCode": "Energy", "unitCode": "kWh", "channelIntervalInSeconds": 900},
     {"meterImportId": "OBS"}, {"meterImportId": "OBS", "observationTypeCode": "Gas"}, {"meterImportId": "NOPE"}],
    ids=["still-two", "undecided", "no-match", "unknown-meter"],
)  # fmt: skip
def test_a_group_that_resolves_to_no_single_channel_fails_whole(energycap: EnergyCap, group: dict[str, Any]) -> None:
    energycap.group_fails(group, "no single channel")


@rule("ECAP-RD-008")
@seeded
def test_a_group_naming_nothing_fails_whole(energycap: EnergyCap) -> None:
    energycap.group_fails({"observationTypeCode": "Energy"}, "no channel and no meter")


@rule("ECAP-RD-009")
@seeded
def test_a_reading_outside_every_channel_version_fails_alone(energycap: EnergyCap) -> None:
    outcome = energycap.imported([{"channelId": 11, "readings": [{"time": "2019-06-01T00:00:00Z", "value": 1},
                                                                 {"time": T1, "value": 501}]}])  # fmt: skip
    assert (outcome["importedReadingsCount"], outcome["failedReadingsCount"]) == (1, 1), outcome
    assert outcome["failedReadings"][0]["readings"][0]["time"].startswith("2019"), outcome


@rule("ECAP-RD-010")
@seeded
@pytest.mark.parametrize("value", [-1, 1000.5], ids=["negative", "above-maximum"])
def test_a_value_outside_the_version_range_fails_alone(energycap: EnergyCap, value: float) -> None:
    outcome = energycap.imported(
        [{"channelId": 11, "readings": [{"time": T1, "value": value}, {"time": T2, "value": 999}]}]
    )
    assert (outcome["importedReadingsCount"], outcome["failedReadingsCount"]) == (1, 1), outcome
    assert outcome["failedReadings"][0]["readings"][0]["value"] == value, outcome


@rule("ECAP-RD-011")
@seeded
def test_a_second_reading_at_the_same_time_fails_alone(energycap: EnergyCap) -> None:
    already = {"time": "2026-01-01T00:00:00Z", "value": 600}
    outcome = energycap.imported(
        [{"channelId": 11, "readings": [already, {"time": T1, "value": 601}, {"time": T1, "value": 602}]}]
    )
    assert (outcome["importedReadingsCount"], outcome["failedReadingsCount"]) == (1, 2), outcome
    stored = {r["time"]: r["value"] for r in energycap.readings(11)}
    assert stored == {"2026-01-01T00:00:00Z": 500, T1: 601}, (
        f"the stored readings are kept, the first new one wins: {stored}"
    )


@rule("ECAP-RD-012")
@seeded
def test_the_outcome_counts_and_lists_failures_and_stores_the_rest(energycap: EnergyCap) -> None:
    response = energycap.post([
        {"channelId": 21, "readings": [{"time": T1, "value": 1.5, "estimated": True, "note": "filled"}]},
        {"channelId": 999, "readings": [{"time": T1, "value": 2}]},
    ])  # fmt: skip
    energycap.expect(response, "ECAP-RD-012")
    outcome = response.json()
    assert (outcome["importedReadingsCount"], outcome["failedReadingsCount"]) == (1, 1), outcome
    assert [group.get("channelId") for group in outcome["failedReadings"]] == [999], outcome
    [stored] = energycap.readings(21)
    assert (stored["value"], stored["estimated"], stored["note"]) == (1.5, True, "filled"), stored


@rule("ECAP-RD-013")
@pytest.mark.parametrize(
    "headers", [{}, {"ECI-ApiKey": ""}, {"Authorization": "Bearer abc"}], ids=["none", "empty", "bearer-only"]
)
def test_a_request_without_an_api_key_is_refused(energycap: EnergyCap, headers: dict[str, str]) -> None:
    response = energycap.client.request(
        "POST", "/v3/reading", json=[{"channelId": 11, "readings": []}], authenticated=False, headers=headers
    )
    energycap.expect(response, "ECAP-RD-013")


@rule("ECAP-RD-014")
@pytest.mark.parametrize(
    "body",
    [{"channelId": 11}, [{"channelId": 11}], [{"channelId": 11, "readings": [], "colour": "red"}],
     [{"meterImportId": "x" * 256, "readings": []}], [{"channelId": "11", "readings": []}],
     [{"channelId": 11, "readings": [{"time": "yesterday", "value": 1}]}], []],
    ids=["not-an-array", "no-readings", "unknown-property", "import-id-too-long", "id-as-text", "bad-time", "empty"],
)  # fmt: skip
def test_a_body_off_the_schema_is_refused_whole(energycap: EnergyCap, body: Any) -> None:
    energycap.expect(energycap.post(body), "ECAP-RD-014")


@rule("ECAP-RD-015")
def test_a_body_that_is_not_json_is_refused(energycap: EnergyCap) -> None:
    response = energycap.client.request(
        "POST", "/v3/reading", content=b"channelId=11", headers={"Content-Type": "text/plain"}
    )
    energycap.expect(response, "ECAP-RD-015")


@rule("ECAP-RD-016")
@seeded
def test_readings_read_back_between_two_dates(energycap: EnergyCap) -> None:
    energycap.imported([{"channelId": 11, "readings": [{"time": T2, "value": 520}, {"time": T1, "value": 510}]}])
    response = energycap.client.request("GET", "/v3/channel/11/reading", params={"beginDate": T1, "endDate": T2})
    energycap.expect(response, "ECAP-RD-016")
    body = response.json()
    assert [(r["time"], r["value"]) for r in body["readings"]] == [(T1, 510), (T2, 520)], body
    assert (body["channelId"], body["rule"], body["unit"]) == (11, 1, "kWh"), body


@rule("ECAP-RD-017")
def test_an_unknown_channel_is_not_found(energycap: EnergyCap) -> None:
    energycap.expect(energycap.client.request("GET", "/v3/channel/987654/reading"), "ECAP-RD-017")
