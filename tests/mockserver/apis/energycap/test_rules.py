"""EnergyCAP resolution and reading checks on plain data: no app, no store."""

from datetime import UTC, datetime

from mockserver.apis.energycap.rules import TRIP, Catalog, Channel, Version, import_readings, resolve_channel


def channel(channel_id, kind="Energy", unit="kWh", interval=900, begin=None, maximum=0.0):
    return Channel(
        channel_id, 1, interval, kind, (Version(channel_id, begin, None, unit, 1.0, maximum, TRIP),), f"C{channel_id}"
    )


METER = [channel(1, "Energy", "kWh", 900), channel(2, "Demand", "kW", 900), channel(3, "Energy", "MWh", 900),
         channel(4, "Energy", "kWh", 3600)]  # fmt: skip
CATALOG = Catalog(
    by_id=lambda channel_id: next((c for c in METER if c.channel_id == channel_id), None),
    by_import_id=lambda import_id: next((c for c in METER if c.channel_import_id == import_id), None),
    of_meter=lambda import_id: list(METER) if import_id == "M" else None,
)


def test_resolution_narrows_in_the_documented_order():
    assert resolve_channel({"channelId": 2, "channelImportId": "C3"}, CATALOG).channel_id == 2
    assert resolve_channel({"channelImportId": "C3", "meterImportId": "M"}, CATALOG).channel_id == 3
    assert resolve_channel({"meterImportId": "M", "observationTypeCode": "Demand"}, CATALOG).channel_id == 2
    by_unit = {"meterImportId": "M", "observationTypeCode": "Energy", "unitCode": "MWh"}
    assert resolve_channel(by_unit, CATALOG).channel_id == 3
    by_interval = {
        "meterImportId": "M",
        "observationTypeCode": "Energy",
        "unitCode": "kWh",
        "channelIntervalInSeconds": 3600,
    }
    assert resolve_channel(by_interval, CATALOG).channel_id == 4


def test_resolution_explains_why_no_single_channel_was_found():
    assert "2 channels" in resolve_channel(
        {"meterImportId": "M", "observationTypeCode": "Energy", "unitCode": "kWh"}, CATALOG
    )
    assert "observationTypeCode Gas" in resolve_channel({"meterImportId": "M", "observationTypeCode": "Gas"}, CATALOG)
    assert "meterImportId X" in resolve_channel({"meterImportId": "X"}, CATALOG)
    assert "Name the channel" in resolve_channel({"unitCode": "kWh"}, CATALOG)


def test_each_reading_fails_alone_and_the_rest_is_kept():
    odometer = Channel(9, 1, 900, "Energy", (Version(9, datetime(2020, 1, 1, tzinfo=UTC), None, "kWh", 1, 100, TRIP),))
    catalog = Catalog(
        by_id=lambda i: odometer if i == 9 else None, by_import_id=lambda i: None, of_meter=lambda i: None
    )
    taken = {datetime(2026, 1, 1, tzinfo=UTC)}
    readings = [
        {"time": "2026-01-01T00:00:00Z", "value": 1},  # already stored
        {"time": "2019-01-01T00:00:00Z", "value": 1},  # before the first version
        {"time": "2026-01-02", "value": 101},  # above the maximum
        {"time": "2026-01-03T00:00:00Z", "value": 5},
        {"time": "2026-01-03T00:00:00Z", "value": 6},  # same time again
    ]
    outcome = import_readings([{"channelId": 9, "readings": readings}, {"channelId": 8, "readings": readings[:1]}],
                              catalog, lambda channel_id, times: {t for t in times if t in taken})  # fmt: skip
    assert [r["value"] for _, r in outcome.stored] == [5]
    assert outcome.failed_count == 5
    assert outcome.failed[1]["error"] == "Channel 8 not found"
