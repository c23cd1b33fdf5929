"""EnergyCAP channel versions: one scenario per ECAP-CV / ECAP-CH rule of specs/energycap-readings.yaml.

Scenarios that only read or send what must be refused use the objects below (a targets file names them on a
real target, with the channel's last two versions and their dates read from the channel itself); those that
edit versions are marked `seeded` and check exact values against our mock's own data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from conformance.contracts import Contract
from conformance.expect import expect_status, rule
from conformance.scenario import ScenarioApi
from conformance.target import Target

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
seeded = pytest.mark.seeded

OBJECTS = {
    "meter": "a meter id",
    "channel": "a channel of `meter` with at least two versions (the last two are edited or refused)",
    "otherMeter": "a meter `channel` is not linked to",
    "otherVersion": "a channel version id of another channel",
    "numberUdf": "the udfId of a channel-version UDF of data type Number",
    "selectUdf": "the udfId of a channel-version UDF with select values",
    "edit": "settings a valid edit of the channel's current version may send: maximumReading, multiplier, "
    "observationRule, unitCode (refusal scenarios send them with one thing wrong)",
    "otherUnit": "the code of a known unit other than edit.unitCode (an edit switches to it, then back)",
}
DEFAULTS = {"meter": METER, "channel": CHANNEL, "otherMeter": OTHER_METER, "otherVersion": OTHER_VERSION,
            "numberUdf": CT_RATIO, "selectUdf": METHOD, "edit": EDIT, "otherUnit": "MWh"}  # fmt: skip
writes = pytest.mark.writes


class Channels(ScenarioApi):
    @property
    def edit(self) -> dict[str, Any]:
        return dict(self.objects["edit"])

    def last_versions(self) -> tuple[int, int]:
        """The ids of the channel's last two versions, as it answers them."""
        ids = [version["channelVersionId"] for version in self.channel()["channelVersions"]]
        assert len(ids) >= 2, f"the channel needs at least two versions, it has {ids}"
        return ids[-2], ids[-1]

    def version_path(self, version: int | None = None) -> str:
        """The named channel's version (its current one unless told) under its named meter."""
        version = self.last_versions()[1] if version is None else version
        return f"/v202101/meter/{self['meter']}/channel/{self['channel']}/version/{version}"

    def put(
        self, body: Any, meter: int | None = None, channel: int | None = None, version: int | None = None
    ) -> httpx.Response:
        meter = self["meter"] if meter is None else meter
        channel = self["channel"] if channel is None else channel
        version = self.last_versions()[1] if version is None else version
        return self.client.request("PUT", f"/v202101/meter/{meter}/channel/{channel}/version/{version}", json=body)

    def get(self, meter: int | None = None, channel: int | None = None) -> httpx.Response:
        meter = self["meter"] if meter is None else meter
        channel = self["channel"] if channel is None else channel
        return self.client.request("GET", f"/v202101/meter/{meter}/channel/{channel}")

    def channel(self) -> dict[str, Any]:
        response = self.get()
        expect_status(response, 200, "reading the channel back")
        return response.json()

    @contextmanager
    def restoring(self) -> Iterator[dict[str, Any]]:
        """The channel as it was; afterwards its current version gets back its settings, dates and UDF values
        (best effort: a real target's channel is left as the run found it)."""
        before = self.channel()
        current = before["channelVersions"][-1]
        try:
            yield before
        finally:
            udfs = [{"udfId": udf["udfId"], "value": udf.get("value")} for udf in current["udfs"]]
            body = {"maximumReading": current["maximumReading"], "multiplier": current["multiplier"],
                    "observationRule": current["observationRule"]["observationRuleCode"],
                    "unitCode": current["unit"]["unitCode"], "udfs": udfs}  # fmt: skip
            if current.get("beginDate"):
                body["beginDate"] = current["beginDate"]
            self.put(body, version=current["channelVersionId"])

    def edited(self, body: dict[str, Any], version: int | None = None) -> dict[str, Any]:
        """The channel the edit answers with; it must be the channel a read then shows."""
        response = self.put(body, version=version)
        expect_status(response, 200, "a valid edit answers 200 with the channel")
        answered = response.json()
        assert _versions(answered) == _versions(self.channel()), "the edit's answer and a later read disagree"
        return answered


def _versions(channel: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {version["channelVersionId"]: version for version in channel["channelVersions"]}


def _udf_values(channel: dict[str, Any], version: int) -> dict[int, Any]:
    return {udf["udfId"]: udf.get("value") for udf in _versions(channel)[version]["udfs"]}


def _dates(channel: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [(v["beginDate"], v["endDate"]) for v in channel["channelVersions"]]


def _shifted(moment: str, days: int) -> str:
    shifted = datetime.fromisoformat(moment.replace("Z", "+00:00")) + timedelta(days=days)
    return shifted.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def channels(target: Target, contracts: dict[str, Contract]) -> Channels:
    return Channels(target, contracts[API], SECTION, DEFAULTS)


@rule("ECAP-CV-001")
@writes
def test_the_version_takes_the_new_settings_and_the_channel_is_answered(channels: Channels) -> None:
    with channels.restoring() as before:
        old, current = channels.last_versions()
        rule = "Trip" if channels.edit["observationRule"] == "Odometer" else "Odometer"
        settings = {
            "maximumReading": 5000,
            "multiplier": 2.5,
            "observationRule": rule,
            "unitCode": channels["otherUnit"],
        }
        response = channels.put(settings)
        channels.expect(response, "ECAP-CV-001")
        after = response.json()
        edited = _versions(after)[current]
        assert (edited["maximumReading"], edited["multiplier"]) == (5000, 2.5), edited
        assert (edited["observationRule"]["observationRuleCode"], edited["unit"]["unitCode"]) == (
            rule, channels["otherUnit"]
        ), edited  # fmt: skip
        assert _versions(after)[old] == _versions(before)[old], "the other version must not change"
        assert (after["channelId"], after["meter"]["meterId"]) == (channels["channel"], channels["meter"]), after
        assert _versions(channels.channel()) == _versions(after), "the edit must read back"


@rule("ECAP-CV-002")
def test_an_unknown_meter_is_not_found(channels: Channels) -> None:
    channels.expect(channels.put(channels.edit, meter=987654), "ECAP-CV-002")


@rule("ECAP-CV-003")
@pytest.mark.parametrize("unlinked", ["other-meter", "unknown"])
def test_a_channel_not_on_the_meter_is_not_found(channels: Channels, unlinked: str) -> None:
    meter, channel = (channels["otherMeter"], None) if unlinked == "other-meter" else (None, 987654)
    channels.expect(channels.put(channels.edit, meter=meter, channel=channel), "ECAP-CV-003")


@rule("ECAP-CV-004")
@pytest.mark.parametrize("version", ["other-channel", "unknown"])
def test_a_version_not_of_the_channel_is_not_found(channels: Channels, version: str) -> None:
    before = channels.channel()
    other = channels["otherVersion"] if version == "other-channel" else 987654
    channels.expect(channels.put(channels.edit, version=other), "ECAP-CV-004")
    assert channels.channel()["channelVersions"] == before["channelVersions"], "nothing may change"


@rule("ECAP-CV-005")
@pytest.mark.parametrize("missing", sorted(EDIT))
def test_every_setting_but_the_begin_date_is_required(channels: Channels, missing: str) -> None:
    channels.expect(channels.put({k: v for k, v in channels.edit.items() if k != missing}), "ECAP-CV-005")


@rule("ECAP-CV-006")
@pytest.mark.parametrize(
    "change",
    [{"maximumReading": -1}, {"maximumReading": 1e15}, {"multiplier": -0.5}, {"multiplier": 1e15},
     {"observationRule": "Counter"}, {"udfs": [{"udfId": 1}]}, {"colour": "red"}],
    ids=["maximum-negative", "maximum-too-large", "multiplier-negative", "multiplier-too-large", "rule", "udf-no-value",
         "unknown-property"],
)  # fmt: skip
def test_settings_off_their_bounds_are_refused(channels: Channels, change: dict[str, Any]) -> None:
    channels.expect(channels.put({**channels.edit, **change}), "ECAP-CV-006")


@rule("ECAP-CV-020")
@pytest.mark.parametrize(
    "change",
    [{"maximumReading": 1.2345678901234567e-05}, {"multiplier": 0.12345678901234566}],
    ids=["maximum-reading", "multiplier"],
)
def test_more_than_sixteen_decimal_places_are_refused(channels: Channels, change: dict[str, Any]) -> None:
    channels.expect(channels.put({**channels.edit, **change}), "ECAP-CV-020")


@rule("ECAP-CV-007")
@pytest.mark.parametrize("begin", ["1899-12-29", "2100-01-01T00:00:00Z"], ids=["before-1899-12-30", "after-2099"])
def test_a_begin_date_out_of_range_is_refused(channels: Channels, begin: str) -> None:
    channels.expect(channels.put({**channels.edit, "beginDate": begin}, version=channels.last_versions()[0]),
                    "ECAP-CV-007")  # fmt: skip
    if channels.on_mock:  # the edge is an edit that succeeds: only on our mock's own channel
        edge = channels.put({**EDIT, "beginDate": "1899-12-30"}, version=OLD)
        expect_status(edge, 200, "12/30/1899 itself is allowed")


@rule("ECAP-CV-008")
def test_an_unknown_unit_is_refused(channels: Channels) -> None:
    channels.expect(channels.put({**channels.edit, "unitCode": "No such unit 7f3a"}), "ECAP-CV-008")


@rule("ECAP-CV-009")
@writes
@pytest.mark.parametrize("udfs", [None, []], ids=["null", "empty"])
def test_a_null_or_empty_udf_list_assigns_nothing(channels: Channels, udfs: list[Any] | None) -> None:
    with channels.restoring() as before:
        current = channels.last_versions()[1]
        multiplier = _versions(before)[current]["multiplier"] + 1  # so that the edit itself visibly applies
        after = channels.edited({**channels.edit, "multiplier": multiplier, "udfs": udfs})
        assert _versions(after)[current]["multiplier"] == multiplier, "the edit must apply"
        assert _udf_values(after, current) == _udf_values(before, current), "no UDF value may change"
    if channels.on_mock:
        assert _udf_values(before, current)[LOCATION] == "Rooftop", "the scenario must start with values set"


@rule("ECAP-CV-010")
@writes
def test_a_listed_udf_takes_its_value_and_an_omitted_one_keeps_it(channels: Channels) -> None:
    with channels.restoring() as before:
        current = channels.last_versions()[1]
        number, select = channels["numberUdf"], channels["selectUdf"]
        choices = [v["value"] for udf in _versions(before)[current]["udfs"] if udf["udfId"] == select
                   for v in udf["udfSelectValues"]]  # fmt: skip
        was = _udf_values(before, current)
        choice = next((c for c in choices if c != was.get(select)), choices[0] if choices else None)
        assert choice is not None, f"UDF {select} lists no select values"
        after = channels.edited({**channels.edit, "udfs": [{"udfId": number, "value": "200"},
                                                           {"udfId": select, "value": choice}]})  # fmt: skip
        values = _udf_values(after, current)
        assert (values[number], values[select]) == ("200", choice), values
        omitted = {udf: value for udf, value in was.items() if udf not in (number, select)}
        assert {udf: values[udf] for udf in omitted} == omitted, "an omitted UDF must keep its value"
    if channels.on_mock:
        assert omitted[LOCATION] == "Rooftop", "the scenario must keep a value that is set"


@rule("ECAP-CV-011")
@writes
def test_a_udf_listed_with_a_null_value_loses_it(channels: Channels) -> None:
    with channels.restoring() as before:
        current = channels.last_versions()[1]
        number, select = channels["numberUdf"], channels["selectUdf"]
        set_first = channels.edited({**channels.edit, "udfs": [{"udfId": number, "value": "7"}]})
        assert _udf_values(set_first, current)[number] == "7", set_first
        values = _udf_values(channels.edited({**channels.edit, "udfs": [{"udfId": number, "value": None}]}), current)
        assert values[number] is None, values
        assert values[select] == _udf_values(before, current)[select], "the other UDFs keep their values"


@rule("ECAP-CV-012")
@pytest.mark.parametrize(
    "udfs",
    [[{"udfId": 987654, "value": "x"}], [{"udfId": "numberUdf", "value": "1"}, {"udfId": "numberUdf", "value": "2"}]],
    ids=["unknown", "twice"],
)
def test_an_unknown_or_repeated_udf_is_refused(channels: Channels, udfs: list[dict[str, Any]]) -> None:
    named = [{**entry, "udfId": channels[entry["udfId"]] if isinstance(entry["udfId"], str) else entry["udfId"]}
             for entry in udfs]  # fmt: skip
    channels.expect(channels.put({**channels.edit, "udfs": named}), "ECAP-CV-012")


@rule("ECAP-CV-013")
@pytest.mark.parametrize(
    ("udf", "value"), [("numberUdf", "lots"), ("selectUdf", "No such choice 7f3a")], ids=["number", "select"]
)
def test_a_udf_value_that_does_not_fit_is_refused(channels: Channels, udf: str, value: str) -> None:
    channels.expect(channels.put({**channels.edit, "udfs": [{"udfId": channels[udf], "value": value}]}),
                    "ECAP-CV-013")  # fmt: skip


@rule("ECAP-CV-014")
@writes
def test_a_new_begin_date_moves_the_previous_versions_end(channels: Channels) -> None:
    with channels.restoring() as before:
        (old_begin, _), (current_begin, current_end) = _dates(before)[-2:]
        assert current_begin, "the current version needs a begin date"
        moved = _shifted(current_begin, 1)
        after = channels.edited({**channels.edit, "beginDate": moved})
        assert _dates(after)[-2:] == [(old_begin, moved), (moved, current_end)], _dates(after)


@rule("ECAP-CV-015")
@pytest.mark.parametrize("move", ["onto-previous", "before-previous", "onto-next", "after-next"])
def test_a_begin_date_that_overlaps_or_reorders_versions_is_refused(channels: Channels, move: str) -> None:
    before = channels.channel()
    (old, current), (old_begin, current_begin) = channels.last_versions(), _dates(before)[-2:]
    assert old_begin[0] and current_begin[0], f"the last two versions need begin dates: {_dates(before)}"
    version, begin = {
        "onto-previous": (current, old_begin[0]), "before-previous": (current, _shifted(old_begin[0], -1)),
        "onto-next": (old, current_begin[0]), "after-next": (old, _shifted(current_begin[0], 1)),
    }[move]  # fmt: skip
    channels.expect(channels.put({**channels.edit, "beginDate": begin}, version=version), "ECAP-CV-015")
    assert _dates(channels.channel()) == _dates(before), "a refused edit must not move any date"


@rule("ECAP-CV-016")
@writes
def test_without_a_begin_date_the_dates_stay(channels: Channels) -> None:
    with channels.restoring() as before:
        current = channels.last_versions()[1]
        multiplier = _versions(before)[current]["multiplier"] + 1  # so that the edit itself visibly applies
        after = channels.edited({**channels.edit, "multiplier": multiplier})
        assert _versions(after)[current]["multiplier"] == multiplier, "the edit must apply"
        assert _dates(after) == _dates(before), _dates(after)


@rule("ECAP-CV-017")
@pytest.mark.parametrize("headers", [{}, {"ECI-ApiKey": ""}], ids=["none", "empty"])
def test_an_edit_without_an_api_key_is_refused(channels: Channels, headers: dict[str, str]) -> None:
    path = channels.version_path()
    response = channels.client.request("PUT", path, json=channels.edit, authenticated=False, headers=headers)
    channels.expect(response, "ECAP-CV-017")


@rule("ECAP-CV-018")
def test_an_edit_that_is_not_json_is_refused(channels: Channels) -> None:
    path = channels.version_path()
    response = channels.client.request("PUT", path, content=b"multiplier=2", headers={"Content-Type": "text/plain"})
    channels.expect(response, "ECAP-CV-018")


@rule("ECAP-CV-019")
def test_a_refused_edit_changes_nothing(channels: Channels) -> None:
    before = channels.channel()
    current_begin = _dates(before)[-1][0]
    refused = {**channels.edit, "multiplier": 7, "udfs": [{"udfId": channels["numberUdf"], "value": None},
                                                          {"udfId": 987654, "value": "x"}]}  # fmt: skip
    if current_begin:
        refused["beginDate"] = _shifted(current_begin, 1)
    channels.expect(channels.put(refused), "ECAP-CV-019")
    assert channels.channel()["channelVersions"] == before["channelVersions"], "a refused edit must write nothing"


@rule("ECAP-CH-001")
@seeded
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
@pytest.mark.parametrize("unlinked", ["unknown-meter", "other-meter", "unknown-channel"])
def test_a_channel_not_on_the_meter_does_not_read(channels: Channels, unlinked: str) -> None:
    meter, channel = {"unknown-meter": (987654, None), "other-meter": (channels["otherMeter"], None),
                      "unknown-channel": (None, 987654)}[unlinked]  # fmt: skip
    channels.expect(channels.get(meter, channel), "ECAP-CH-002")
