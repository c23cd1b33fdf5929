"""EnergyCAP readings import: one scenario per x-rules entry of specs/energycap-readings.yaml.

The import scenarios name the meters and channels they need (a targets file names them on a real target; the
defaults are the data seeded below) and import readings at fresh times, so they can run against a real target
with --allow-writes; the refusals need no existing object and run against any target, read-only."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from conformance.contracts import Contract
from conformance.expect import expect_status, rule
from conformance.scenario import ScenarioApi
from conformance.target import Target

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

writes = pytest.mark.writes
UNKNOWN_ID, UNKNOWN_TEXT = 987654321, "NoSuchThing7f3a"

OBJECTS = {
    "onlyChannel": "{channelId, channelImportId, meterImportId} of a channel whose meter has no other channel",
    "otherChannel": "{channelId, channelImportId} of a channel on another meter",
    "byObservationType": "{meterImportId, observationTypeCode, channelId}: a meter whose channels differ by "
    "observation type, and its channel of that type",
    "byUnit": "{meterImportId, observationTypeCode, unitCode, channelId}: a meter whose channels of one "
    "observation type differ by unit, and its channel of that unit",
    "byInterval": "{meterImportId, observationTypeCode, unitCode, channelIntervalInSeconds, channelId}: a meter "
    "whose channels of one type and unit differ by interval, and its channel of that interval",
    "undecided": "{meterImportId, observationTypeCode, unitCode, channelIntervalInSeconds}: a meter with two "
    "channels even these do not tell apart",
    "odometer": "{channelId, before, maximumReading}: a channel with a maximumReading above 0, and a time before "
    "its first version began",
}
DEFAULTS = {
    "onlyChannel": {"channelId": 11, "channelImportId": "C-ONE", "meterImportId": "ONE"},
    "otherChannel": {"channelId": 32, "channelImportId": "C-UNIT-M"},
    "byObservationType": {"meterImportId": "OBS", "observationTypeCode": "Demand", "channelId": 22},
    "byUnit": {"meterImportId": "UNIT", "observationTypeCode": "Energy", "unitCode": "MWh", "channelId": 32},
    "byInterval": {"meterImportId": "INT", "observationTypeCode": "Energy", "unitCode": "kWh",
                   "channelIntervalInSeconds": 3600, "channelId": 42},
    "undecided": {"meterImportId": "TWINS", "observationTypeCode": "Energy", "unitCode": "kWh",
                  "channelIntervalInSeconds": 900},
    "odometer": {"channelId": 11, "before": "2019-06-01T00:00:00Z", "maximumReading": 1000},
}  # fmt: skip


_SCENARIOS = itertools.count()


def _when(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class EnergyCap(ScenarioApi):
    def __init__(self, target: Target, contract: Contract) -> None:
        super().__init__(target, contract, SECTION, DEFAULTS)
        # Fresh times for every scenario (an hour apart, from two days back): a real target's channels keep
        # what earlier scenarios and runs imported.
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2) + timedelta(hours=next(_SCENARIOS))
        self.t0, self.t1, self.t2 = (_when(start + timedelta(minutes=15 * n)) for n in range(3))

    def post(self, body: Any) -> httpx.Response:
        return self.client.request("POST", "/v3/reading", json=body)

    def imported(self, groups: list[dict[str, Any]]) -> dict[str, Any]:
        response = self.post(groups)
        expect_status(response, 200, "an import answers 200 with its outcome")
        return response.json()

    def readings(self, channel_id: int, begin: str | None = None, end: str | None = None) -> list[dict[str, Any]]:
        """The channel's readings between this scenario's first and last times (both included)."""
        params = {"beginDate": begin or self.t0, "endDate": end or self.t2}
        response = self.client.request("GET", f"/v3/channel/{channel_id}/reading", params=params)
        expect_status(response, 200, f"reading back channel {channel_id}")
        return response.json()["readings"]

    def lands_on(self, group: dict[str, Any], channel_id: int) -> None:
        """The group's one reading is imported, and onto ``channel_id``."""
        outcome = self.imported([{**group, "readings": [{"time": self.t1, "value": 7}]}])
        assert outcome["importedReadingsCount"] == 1, outcome
        landed = {r["time"]: r["value"] for r in self.readings(channel_id)}
        assert landed.get(self.t1) == 7, f"the reading did not land on channel {channel_id}: {landed}"

    def group_fails(self, group: dict[str, Any], why: str) -> None:
        readings = [{"time": self.t1, "value": 7}, {"time": self.t2, "value": 8}]
        outcome = self.imported([{**group, "readings": readings}])
        assert (outcome["importedReadingsCount"], outcome["failedReadingsCount"]) == (0, 2), outcome
        [failed] = outcome["failedReadings"]
        assert failed.get("error"), f"{why}: the group's error must say why: {failed}"
        assert len(failed["readings"]) == 2 and all(r.get("error") for r in failed["readings"]), failed


def _only(mapping: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: mapping[key] for key in keys}


@pytest.fixture
def energycap(target: Target, contracts: dict[str, Contract]) -> EnergyCap:
    return EnergyCap(target, contracts[API])


@rule("ECAP-RD-001")
@writes
def test_a_channel_id_names_the_channel(energycap: EnergyCap) -> None:
    other = energycap["otherChannel"]
    energycap.lands_on({"channelId": other["channelId"], "meterImportId": energycap["onlyChannel"]["meterImportId"]},
                       other["channelId"])  # fmt: skip
    energycap.group_fails({"channelId": UNKNOWN_ID}, "unknown channelId")


@rule("ECAP-RD-002")
@writes
def test_a_channel_import_id_names_the_channel(energycap: EnergyCap) -> None:
    other = energycap["otherChannel"]
    group = {"channelImportId": other["channelImportId"], "meterImportId": energycap["onlyChannel"]["meterImportId"]}
    energycap.lands_on(group, other["channelId"])
    energycap.group_fails({"channelImportId": UNKNOWN_TEXT}, "unknown channelImportId")


@rule("ECAP-RD-003")
@writes
def test_a_meter_with_one_channel_takes_the_reading(energycap: EnergyCap) -> None:
    channel = energycap["onlyChannel"]
    group = {"meterImportId": channel["meterImportId"], "observationTypeCode": UNKNOWN_TEXT}
    energycap.lands_on(group, channel["channelId"])


@rule("ECAP-RD-004")
@writes
def test_the_observation_type_picks_among_a_meters_channels(energycap: EnergyCap) -> None:
    named = energycap["byObservationType"]
    energycap.lands_on(_only(named, "meterImportId", "observationTypeCode"), named["channelId"])


@rule("ECAP-RD-005")
@writes
def test_the_unit_picks_among_channels_of_one_observation_type(energycap: EnergyCap) -> None:
    named = energycap["byUnit"]
    energycap.lands_on(_only(named, "meterImportId", "observationTypeCode", "unitCode"), named["channelId"])


@rule("ECAP-RD-006")
@writes
def test_the_interval_picks_among_channels_of_one_unit(energycap: EnergyCap) -> None:
    named = energycap["byInterval"]
    group = _only(named, "meterImportId", "observationTypeCode", "unitCode", "channelIntervalInSeconds")
    energycap.lands_on(group, named["channelId"])


@rule("ECAP-RD-007")
@writes
@pytest.mark.parametrize("case", ["still-two", "undecided", "no-match", "unknown-meter"])
def test_a_group_that_resolves_to_no_single_channel_fails_whole(energycap: EnergyCap, case: str) -> None:
    by_type = energycap["byObservationType"]["meterImportId"] if case in ("undecided", "no-match") else None
    group = {
        "still-two": lambda: dict(energycap["undecided"]),
        "undecided": lambda: {"meterImportId": by_type},
        "no-match": lambda: {"meterImportId": by_type, "observationTypeCode": UNKNOWN_TEXT},
        "unknown-meter": lambda: {"meterImportId": UNKNOWN_TEXT},
    }[case]()
    energycap.group_fails(group, "no single channel")


@rule("ECAP-RD-008")
@writes
def test_a_group_naming_nothing_fails_whole(energycap: EnergyCap) -> None:
    energycap.group_fails({"observationTypeCode": "Energy"}, "no channel and no meter")


@rule("ECAP-RD-009")
@writes
def test_a_reading_outside_every_channel_version_fails_alone(energycap: EnergyCap) -> None:
    odometer = energycap["odometer"]
    readings = [{"time": odometer["before"], "value": 1}, {"time": energycap.t1, "value": 1}]
    outcome = energycap.imported([{"channelId": odometer["channelId"], "readings": readings}])
    assert (outcome["importedReadingsCount"], outcome["failedReadingsCount"]) == (1, 1), outcome
    assert outcome["failedReadings"][0]["readings"][0]["time"] == odometer["before"], outcome


@rule("ECAP-RD-010")
@writes
@pytest.mark.parametrize("case", ["negative", "above-maximum"])
def test_a_value_outside_the_version_range_fails_alone(energycap: EnergyCap, case: str) -> None:
    odometer = energycap["odometer"]
    value = -1 if case == "negative" else odometer["maximumReading"] + 0.5
    readings = [{"time": energycap.t1, "value": value}, {"time": energycap.t2, "value": odometer["maximumReading"] - 1}]
    outcome = energycap.imported([{"channelId": odometer["channelId"], "readings": readings}])
    assert (outcome["importedReadingsCount"], outcome["failedReadingsCount"]) == (1, 1), outcome
    assert outcome["failedReadings"][0]["readings"][0]["value"] == value, outcome


@rule("ECAP-RD-011")
@writes
def test_a_second_reading_at_the_same_time_fails_alone(energycap: EnergyCap) -> None:
    channel_id, t0, t1 = energycap["odometer"]["channelId"], energycap.t0, energycap.t1
    first = energycap.imported([{"channelId": channel_id, "readings": [{"time": t0, "value": 5}]}])
    assert first["importedReadingsCount"] == 1, first
    readings = [{"time": t0, "value": 6}, {"time": t1, "value": 7}, {"time": t1, "value": 8}]
    outcome = energycap.imported([{"channelId": channel_id, "readings": readings}])
    assert (outcome["importedReadingsCount"], outcome["failedReadingsCount"]) == (1, 2), outcome
    stored = {r["time"]: r["value"] for r in energycap.readings(channel_id)}
    assert stored == {t0: 5, t1: 7}, f"the stored reading is kept, the first new one wins: {stored}"


@rule("ECAP-RD-012")
@writes
def test_the_outcome_counts_and_lists_failures_and_stores_the_rest(energycap: EnergyCap) -> None:
    channel_id, t1 = energycap["otherChannel"]["channelId"], energycap.t1
    response = energycap.post([
        {"channelId": channel_id, "readings": [{"time": t1, "value": 1.5, "estimated": True, "note": "filled"}]},
        {"channelId": UNKNOWN_ID, "readings": [{"time": t1, "value": 2}]},
    ])  # fmt: skip
    energycap.expect(response, "ECAP-RD-012")
    outcome = response.json()
    assert (outcome["importedReadingsCount"], outcome["failedReadingsCount"]) == (1, 1), outcome
    assert [group.get("channelId") for group in outcome["failedReadings"]] == [UNKNOWN_ID], outcome
    [stored] = energycap.readings(channel_id, t1, t1)
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
@writes
def test_readings_read_back_between_two_dates(energycap: EnergyCap) -> None:
    channel_id, t0, t1, t2 = energycap["odometer"]["channelId"], energycap.t0, energycap.t1, energycap.t2
    readings = [{"time": t2, "value": 52}, {"time": t0, "value": 50}, {"time": t1, "value": 51}]
    energycap.imported([{"channelId": channel_id, "readings": readings}])
    response = energycap.client.request(
        "GET", f"/v3/channel/{channel_id}/reading", params={"beginDate": t1, "endDate": t2}
    )
    energycap.expect(response, "ECAP-RD-016")
    body = response.json()
    assert [(r["time"], r["value"]) for r in body["readings"]] == [(t1, 51), (t2, 52)], body
    assert body["channelId"] == channel_id and body["rule"] in (1, 2), body
    unit = body["unit"]
    assert isinstance(unit, dict) and isinstance(unit.get("unitCode"), str) and "unitId" in unit, body
    ids = [r.get("observationId") for r in body["readings"]]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids), body
    assert all(r.get("rawValue") == r["value"] for r in body["readings"]), "no multiplier applied here: " + str(body)


@rule("ECAP-RD-018")
@writes
def test_the_read_back_window_defaults_to_four_days_before_the_latest_reading(energycap: EnergyCap) -> None:
    channel_id = energycap["odometer"]["channelId"]
    latest = datetime.now(UTC).replace(microsecond=0)
    at = {name: _when(latest - delta) for name, delta in {
        "latest": timedelta(), "day-before": timedelta(days=1), "four-days-before": timedelta(days=4),
        "just-outside": timedelta(days=4, minutes=15)}.items()}  # fmt: skip
    readings = [{"time": t, "value": 1} for t in at.values()]
    outcome = energycap.imported([{"channelId": channel_id, "readings": readings}])
    assert outcome["importedReadingsCount"] == 4, outcome

    def ours(**params: str) -> set[str]:
        response = energycap.client.request("GET", f"/v3/channel/{channel_id}/reading", params=params)
        energycap.expect(response, "ECAP-RD-018")
        times = {r["time"] for r in response.json()["readings"]}
        if not params and max(times, default="") > at["latest"]:
            pytest.skip("the channel has readings later than now: its latest reading is not ours")
        return {name for name, t in at.items() if t in times}

    assert ours() == {"latest", "day-before", "four-days-before"}, "no dates: the latest reading and 4 days before"
    assert ours(endDate=at["day-before"]) == {"day-before", "four-days-before", "just-outside"}
    assert ours(beginDate=at["day-before"]) == {"day-before", "latest"}


@rule("ECAP-RD-017")
def test_an_unknown_channel_is_not_found(energycap: EnergyCap) -> None:
    energycap.expect(energycap.client.request("GET", "/v3/channel/987654/reading"), "ECAP-RD-017")
