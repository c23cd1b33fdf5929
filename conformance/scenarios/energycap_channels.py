"""EnergyCAP channel versions: one scenario per ECAP-CV / ECAP-CH rule of specs/energycap-readings.yaml."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from conformance.contracts import Contract
from conformance.expect import expect_outcome, expect_status, rule
from conformance.scenarios.energycap import error_code
from conformance.target import ApiClient, Target

API = "energycap"
METER, OTHER_METER = 6, 7
CHANNEL, OTHER_CHANNEL = 61, 71
OLD, CURRENT, OTHER_VERSION = 611, 612, 711
OLD_BEGIN, CURRENT_BEGIN = "2020-01-01T00:00:00Z", "2024-01-01T00:00:00Z"
LOCATION, CT_RATIO, METHOD = 1, 2, 3

_TEXT = {"dataTypeId": 1, "dataTypeCode": "Text", "dataTypeInfo": "Text"}
_NUMBER = {"dataTypeId": 2, "dataTypeCode": "Number", "dataTypeInfo": "Number"}
_SELECT = {"dataTypeId": 5, "dataTypeCode": "Select", "dataTypeInfo": "Select list"}

# Meter 6's channel 61 has two versions (2020 to 2024, and since 2024) with UDF values; meter 7's channel 71 one.
SECTION: dict[str, Any] = {
    "units": [{"unitId": 1, "unitCode": "kWh", "unitInfo": "Kilowatt hours"},
              {"unitId": 2, "unitCode": "MWh", "unitInfo": "Megawatt hours"}],
    "udfs": [
        {"udfId": LOCATION, "name": "Location", "dataType": _TEXT},
        {"udfId": CT_RATIO, "name": "CT ratio", "dataType": _NUMBER},
        {"udfId": METHOD, "name": "Reading method", "dataType": _SELECT,
         "udfSelectValues": [{"udfSelectValueId": 31, "value": "AMI"}, {"udfSelectValueId": 32, "value": "Manual"}]},
    ],
    "meters": [
        {"meterId": METER, "meterImportId": "CV-METER", "serialNumber": "SN-6",
         "commodity": {"commodityId": 1, "commodityCode": "ELECTRIC", "commodityInfo": "Electric"}},
        {"meterId": OTHER_METER, "meterImportId": "CV-OTHER"},
    ],
    "channels": [
        {"channelId": CHANNEL, "meterId": METER, "channelImportId": "CV-CH", "intervalSeconds": 900,
         "observationTypeCode": "Energy",
         "versions": [
             {"versionId": OLD, "beginDate": OLD_BEGIN, "endDate": CURRENT_BEGIN, "unitCode": "kWh", "multiplier": 1,
              "maximumReading": 99999, "observationRule": "Odometer",
              "udfs": [{"udfId": LOCATION, "value": "Basement"}]},
             {"versionId": CURRENT, "beginDate": CURRENT_BEGIN, "unitCode": "kWh", "multiplier": 1,
              "maximumReading": 99999, "observationRule": "Odometer",
              "udfs": [{"udfId": LOCATION, "value": "Rooftop"}, {"udfId": METHOD, "value": "AMI"}]},
         ]},
        {"channelId": OTHER_CHANNEL, "meterId": OTHER_METER, "observationTypeCode": "Energy",
         "versions": [{"versionId": OTHER_VERSION, "unitCode": "kWh", "observationRule": "Trip"}]},
    ],
}  # fmt: skip

EDIT: dict[str, Any] = {"maximumReading": 99999, "multiplier": 1, "observationRule": "Odometer", "unitCode": "kWh"}


class Channels:
    def __init__(self, client: ApiClient, contract: Contract) -> None:
        self.client = client
        self.contract = contract

    def put(self, body: Any, meter: int = METER, channel: int = CHANNEL, version: int = CURRENT) -> httpx.Response:
        return self.client.request("PUT", f"/v202101/meter/{meter}/channel/{channel}/version/{version}", json=body)

    def get(self, meter: int = METER, channel: int = CHANNEL) -> httpx.Response:
        return self.client.request("GET", f"/v202101/meter/{meter}/channel/{channel}")

    def channel(self) -> dict[str, Any]:
        response = self.get()
        expect_status(response, 200, "reading the channel back")
        return response.json()

    def edited(self, body: dict[str, Any], version: int = CURRENT) -> dict[str, Any]:
        """The channel the edit answers with; it must be the channel a read then shows."""
        response = self.put(body, version=version)
        expect_status(response, 200, "a valid edit answers 200 with the channel")
        answered = response.json()
        assert _versions(answered) == _versions(self.channel()), "the edit's answer and a later read disagree"
        return answered

    def expect(self, response: httpx.Response, rule_id: str) -> None:
        expect_outcome(response, self.contract.rule(rule_id), error_code)


def _versions(channel: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {version["channelVersionId"]: version for version in channel["channelVersions"]}


def _udf_values(channel: dict[str, Any], version: int) -> dict[int, Any]:
    return {udf["udfId"]: udf.get("value") for udf in _versions(channel)[version]["udfs"]}


def _dates(channel: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [(v["beginDate"], v["endDate"]) for v in channel["channelVersions"]]


@pytest.fixture
def channels(target: Target, contracts: dict[str, Contract]) -> Channels:
    return Channels(target.seeded_client(contracts[API], SECTION), contracts[API])


@rule("ECAP-CV-001")
def test_the_version_takes_the_new_settings_and_the_channel_is_answered(channels: Channels) -> None:
    before = channels.channel()
    response = channels.put({"maximumReading": 5000, "multiplier": 2.5, "observationRule": "Trip", "unitCode": "MWh"})
    channels.expect(response, "ECAP-CV-001")
    after = response.json()
    edited = _versions(after)[CURRENT]
    assert (edited["maximumReading"], edited["multiplier"]) == (5000, 2.5), edited
    assert (edited["observationRule"]["observationRuleCode"], edited["unit"]["unitCode"]) == ("Trip", "MWh"), edited
    assert _versions(after)[OLD] == _versions(before)[OLD], "the other version must not change"
    assert (after["channelId"], after["meter"]["meterId"]) == (CHANNEL, METER), after
    assert _versions(channels.channel()) == _versions(after), "the edit must read back"


@rule("ECAP-CV-002")
def test_an_unknown_meter_is_not_found(channels: Channels) -> None:
    channels.expect(channels.put(EDIT, meter=987654), "ECAP-CV-002")


@rule("ECAP-CV-003")
@pytest.mark.parametrize(
    ("meter", "channel"), [(OTHER_METER, CHANNEL), (METER, 987654)], ids=["other-meter", "unknown"]
)
def test_a_channel_not_on_the_meter_is_not_found(channels: Channels, meter: int, channel: int) -> None:
    channels.expect(channels.put(EDIT, meter=meter, channel=channel), "ECAP-CV-003")


@rule("ECAP-CV-004")
@pytest.mark.parametrize("version", [OTHER_VERSION, 987654], ids=["other-channel", "unknown"])
def test_a_version_not_of_the_channel_is_not_found(channels: Channels, version: int) -> None:
    channels.expect(channels.put(EDIT, version=version), "ECAP-CV-004")
    assert _versions(channels.channel())[CURRENT]["maximumReading"] == 99999


@rule("ECAP-CV-005")
@pytest.mark.parametrize("missing", sorted(EDIT))
def test_every_setting_but_the_begin_date_is_required(channels: Channels, missing: str) -> None:
    channels.expect(channels.put({k: v for k, v in EDIT.items() if k != missing}), "ECAP-CV-005")


@rule("ECAP-CV-006")
@pytest.mark.parametrize(
    "change",
    [{"maximumReading": -1}, {"maximumReading": 1e15}, {"multiplier": -0.5}, {"multiplier": 1e15},
     {"observationRule": "Counter"}, {"udfs": [{"udfId": LOCATION}]}, {"colour": "red"}],
    ids=["maximum-negative", "maximum-too-large", "multiplier-negative", "multiplier-too-large", "rule", "udf-no-value",
         "unknown-property"],
)  # fmt: skip
def test_settings_off_their_bounds_are_refused(channels: Channels, change: dict[str, Any]) -> None:
    channels.expect(channels.put({**EDIT, **change}), "ECAP-CV-006")


@rule("ECAP-CV-007")
@pytest.mark.parametrize("begin", ["1899-12-29", "2100-01-01T00:00:00Z"], ids=["before-1899-12-30", "after-2099"])
def test_a_begin_date_out_of_range_is_refused(channels: Channels, begin: str) -> None:
    channels.expect(channels.put({**EDIT, "beginDate": begin}, version=OLD), "ECAP-CV-007")
    edge = channels.put({**EDIT, "beginDate": "1899-12-30"}, version=OLD)
    expect_status(edge, 200, "12/30/1899 itself is allowed")


@rule("ECAP-CV-008")
def test_an_unknown_unit_is_refused(channels: Channels) -> None:
    channels.expect(channels.put({**EDIT, "unitCode": "Furlongs"}), "ECAP-CV-008")


@rule("ECAP-CV-009")
@pytest.mark.parametrize("udfs", [None, []], ids=["null", "empty"])
def test_a_null_or_empty_udf_list_assigns_nothing(channels: Channels, udfs: list[Any] | None) -> None:
    before = _udf_values(channels.channel(), CURRENT)
    after = channels.edited({**EDIT, "udfs": udfs})
    assert _udf_values(after, CURRENT) == before, "no UDF value may change"
    assert before[LOCATION] == "Rooftop", before


@rule("ECAP-CV-010")
def test_a_listed_udf_takes_its_value_and_an_omitted_one_keeps_it(channels: Channels) -> None:
    after = channels.edited(
        {**EDIT, "udfs": [{"udfId": CT_RATIO, "value": "200"}, {"udfId": METHOD, "value": "Manual"}]}
    )
    values = _udf_values(after, CURRENT)
    assert (values[CT_RATIO], values[METHOD], values[LOCATION]) == ("200", "Manual", "Rooftop"), values


@rule("ECAP-CV-011")
def test_a_udf_listed_with_a_null_value_loses_it(channels: Channels) -> None:
    values = _udf_values(channels.edited({**EDIT, "udfs": [{"udfId": LOCATION, "value": None}]}), CURRENT)
    assert (values[LOCATION], values[METHOD]) == (None, "AMI"), values


@rule("ECAP-CV-012")
@pytest.mark.parametrize(
    "udfs",
    [[{"udfId": 987654, "value": "x"}], [{"udfId": LOCATION, "value": "a"}, {"udfId": LOCATION, "value": "b"}]],
    ids=["unknown", "twice"],
)
def test_an_unknown_or_repeated_udf_is_refused(channels: Channels, udfs: list[dict[str, Any]]) -> None:
    channels.expect(channels.put({**EDIT, "udfs": udfs}), "ECAP-CV-012")


@rule("ECAP-CV-013")
@pytest.mark.parametrize(
    "entry", [{"udfId": CT_RATIO, "value": "lots"}, {"udfId": METHOD, "value": "Psychic"}], ids=["number", "select"]
)
def test_a_udf_value_that_does_not_fit_is_refused(channels: Channels, entry: dict[str, Any]) -> None:
    channels.expect(channels.put({**EDIT, "udfs": [entry]}), "ECAP-CV-013")


@rule("ECAP-CV-014")
def test_a_new_begin_date_moves_the_previous_versions_end(channels: Channels) -> None:
    moved = "2024-06-01T00:00:00Z"
    after = channels.edited({**EDIT, "beginDate": moved})
    assert _dates(after) == [(OLD_BEGIN, moved), (moved, None)], _dates(after)


@rule("ECAP-CV-015")
@pytest.mark.parametrize(
    ("version", "begin"),
    [(CURRENT, OLD_BEGIN), (CURRENT, "2019-01-01T00:00:00Z"), (OLD, CURRENT_BEGIN), (OLD, "2025-01-01T00:00:00Z")],
    ids=["onto-previous", "before-previous", "onto-next", "after-next"],
)
def test_a_begin_date_that_overlaps_or_reorders_versions_is_refused(
    channels: Channels, version: int, begin: str
) -> None:
    channels.expect(channels.put({**EDIT, "beginDate": begin}, version=version), "ECAP-CV-015")
    assert _dates(channels.channel()) == [(OLD_BEGIN, CURRENT_BEGIN), (CURRENT_BEGIN, None)]


@rule("ECAP-CV-016")
def test_without_a_begin_date_the_dates_stay(channels: Channels) -> None:
    after = channels.edited({**EDIT, "multiplier": 3})
    assert _dates(after) == [(OLD_BEGIN, CURRENT_BEGIN), (CURRENT_BEGIN, None)], _dates(after)


@rule("ECAP-CV-017")
@pytest.mark.parametrize("headers", [{}, {"ECI-ApiKey": ""}], ids=["none", "empty"])
def test_an_edit_without_an_api_key_is_refused(channels: Channels, headers: dict[str, str]) -> None:
    response = channels.client.request(
        "PUT", f"/v202101/meter/{METER}/channel/{CHANNEL}/version/{CURRENT}", json=EDIT, authenticated=False,
        headers=headers,
    )  # fmt: skip
    channels.expect(response, "ECAP-CV-017")


@rule("ECAP-CV-018")
def test_an_edit_that_is_not_json_is_refused(channels: Channels) -> None:
    response = channels.client.request(
        "PUT", f"/v202101/meter/{METER}/channel/{CHANNEL}/version/{CURRENT}", content=b"multiplier=2",
        headers={"Content-Type": "text/plain"},
    )  # fmt: skip
    channels.expect(response, "ECAP-CV-018")


@rule("ECAP-CV-019")
def test_a_refused_edit_changes_nothing(channels: Channels) -> None:
    before = channels.channel()
    refused = {**EDIT, "beginDate": "2024-06-01T00:00:00Z", "multiplier": 7, "unitCode": "MWh",
               "udfs": [{"udfId": LOCATION, "value": None}, {"udfId": 987654, "value": "x"}]}  # fmt: skip
    channels.expect(channels.put(refused), "ECAP-CV-019")
    assert channels.channel()["channelVersions"] == before["channelVersions"], "a refused edit must write nothing"


@rule("ECAP-CH-001")
def test_the_whole_channel_reads_back(channels: Channels) -> None:
    response = channels.get()
    channels.expect(response, "ECAP-CH-001")
    channel = response.json()
    assert [v["channelVersionId"] for v in channel["channelVersions"]] == [OLD, CURRENT], "versions oldest first"
    assert (channel["meter"]["meterImportId"], channel["meter"]["serialNumber"]) == ("CV-METER", "SN-6"), channel
    assert channel["meter"]["commodity"]["commodityCode"] == "ELECTRIC", channel["meter"]
    assert (channel["channelImportId"], channel["intervalMinutes"]) == ("CV-CH", 15), channel
    assert channel["observationType"]["observationTypeCode"] == "Energy", channel
    assert _udf_values(channel, OLD)[LOCATION] == "Basement", channel
    assert channel["hasReadings"] is False and channel.get("firstReadingDate") is None, channel
    times = ["2024-03-01T00:15:00Z", "2024-03-01T00:00:00Z"]
    imported = channels.client.request(
        "POST", "/v3/reading", json=[{"channelId": CHANNEL, "readings": [{"time": t, "value": 1} for t in times]}]
    )
    assert imported.status_code == 200 and imported.json()["importedReadingsCount"] == 2, imported.text
    channel = channels.channel()
    assert (channel["hasReadings"], channel["firstReadingDate"], channel["lastReadingDate"]) == (
        True, times[1], times[0]
    ), channel  # fmt: skip


@rule("ECAP-CH-002")
@pytest.mark.parametrize(
    ("meter", "channel"), [(987654, CHANNEL), (OTHER_METER, CHANNEL), (METER, 987654)],
    ids=["unknown-meter", "other-meter", "unknown-channel"],
)  # fmt: skip
def test_a_channel_not_on_the_meter_does_not_read(channels: Channels, meter: int, channel: int) -> None:
    channels.expect(channels.get(meter, channel), "ECAP-CH-002")
