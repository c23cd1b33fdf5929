"""EnergyCAP readings import: resolve each group's channel in the documented order, then check each reading
on its own against the channel version in force at its time. Plain data in, plain data out.

Each check carries the `x-rules` id of `specs/energycap-readings.yaml` it implements.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from mockserver.timestamps import parse_datetime

ODOMETER, TRIP = "Odometer", "Trip"
GROUP_KEYS = (
    "channelId", "channelImportId", "meterImportId", "observationTypeCode", "unitCode", "channelIntervalInSeconds",
)  # fmt: skip


@dataclass(frozen=True)
class Version:
    version_id: int
    begin: datetime | None
    end: datetime | None
    unit_code: str
    multiplier: float
    maximum_reading: float
    observation_rule: str

    def covers(self, moment: datetime) -> bool:
        return (self.begin is None or self.begin <= moment) and (self.end is None or moment < self.end)


@dataclass(frozen=True)
class Channel:
    channel_id: int
    meter_id: int
    interval_seconds: int | None
    observation_type_code: str
    versions: tuple[Version, ...]
    channel_import_id: str | None = None

    @property
    def unit_code(self) -> str | None:
        """The output unit: the latest version's."""
        return self.versions[-1].unit_code if self.versions else None

    def version_at(self, moment: datetime) -> Version | None:
        for version in self.versions:  # a loop, not next() over a generator: asked once per imported reading
            if version.covers(moment):
                return version
        return None


@dataclass
class Catalog:
    """What resolution may look at: channels by id and import id, and each meter's channels by its import id."""

    by_id: Callable[[int], Channel | None]
    by_import_id: Callable[[str], Channel | None]
    of_meter: Callable[[str], list[Channel] | None]  # None: no meter has that import id


@dataclass
class Outcome:
    stored: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (channel id, reading with parsed time)
    failed: list[dict[str, Any]] = field(default_factory=list)  # FailedReadingResponse entries

    @property
    def failed_count(self) -> int:
        return sum(len(group["readings"]) for group in self.failed)


def parse_time(text: str) -> datetime:
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    return parse_datetime(text)


def resolve_channel(group: dict[str, Any], catalog: Catalog) -> Channel | str:
    """The group's channel (ECAP-RD-001..008), or why there is none."""
    if group.get("channelId") is not None:
        return catalog.by_id(group["channelId"]) or f"Channel {group['channelId']} not found"
    if group.get("channelImportId"):
        return catalog.by_import_id(group["channelImportId"]) or (
            f"No channel has channelImportId {group['channelImportId']}"
        )
    if not group.get("meterImportId"):
        return "Name the channel with channelId or channelImportId, or its meter with meterImportId"
    candidates = catalog.of_meter(group["meterImportId"])
    if candidates is None:
        return f"No meter has meterImportId {group['meterImportId']}"
    for name, value_of in (
        ("observationTypeCode", lambda channel: channel.observation_type_code),
        ("unitCode", lambda channel: channel.unit_code),
        ("channelIntervalInSeconds", lambda channel: channel.interval_seconds),
    ):
        if len(candidates) == 1:
            return candidates[0]
        wanted = group.get(name)
        if wanted is None:
            continue
        candidates = [channel for channel in candidates if value_of(channel) == wanted]
        if not candidates:
            return f"No channel of meter {group['meterImportId']} has {name} {wanted}"
    if len(candidates) == 1:
        return candidates[0]
    ids = ", ".join(str(channel.channel_id) for channel in candidates)
    return f"Meter {group['meterImportId']} has {len(candidates)} channels that match ({ids}); name one more precisely"


def reading_error(channel: Channel, reading: dict[str, Any], moment: datetime, taken: set[datetime]) -> str | None:
    version = channel.version_at(moment)
    if version is None:
        return f"Channel {channel.channel_id} has no version in force at {moment.isoformat()}"
    value = float(reading["value"])
    if value < 0 or (version.maximum_reading > 0 and value > version.maximum_reading):
        return f"Value {value:g} is outside 0..{version.maximum_reading:g} (channel version {version.version_id})"
    if moment in taken:
        return f"Channel {channel.channel_id} already has a reading at {moment.isoformat()}"
    return None


def import_readings(
    groups: list[dict[str, Any]],
    catalog: Catalog,
    taken_times: Callable[[int, Iterable[datetime]], set[datetime]],
    *,
    resolve: Callable[[dict[str, Any], Catalog], Channel | str] = resolve_channel,
    reading_error: Callable[[Channel, dict[str, Any], datetime, set[datetime]], str | None] = reading_error,
) -> Outcome:
    """Every group resolved, every reading checked on its own; what passes is returned to be stored. The two
    steps are parameters so that a test can serve a mock that gets one of them wrong."""
    outcome = Outcome()
    stored = outcome.stored
    seen: dict[int, set[datetime]] = {}
    for group in groups:
        echo = {key: group.get(key) for key in GROUP_KEYS}
        channel = resolve(group, catalog)
        if isinstance(channel, str):
            failed = [_echo_reading(reading, channel) for reading in group["readings"]]
            outcome.failed.append({**echo, "error": channel, "readings": failed})
            continue
        channel_id = channel.channel_id
        readings = group["readings"]
        times = [parse_time(reading["time"]) for reading in readings]
        seen_here = seen.setdefault(channel_id, set())
        taken = seen_here | taken_times(channel_id, times)
        failed = []
        for reading, moment in zip(readings, times, strict=True):
            error = reading_error(channel, reading, moment, taken)
            if error is not None:
                failed.append(_echo_reading(reading, error))
                continue
            taken.add(moment)
            seen_here.add(moment)
            stored.append((channel_id, {**reading, "time": moment}))
        if failed:
            outcome.failed.append({**echo, "channelId": channel_id, "error": None, "readings": failed})
    return outcome


def _echo_reading(reading: dict[str, Any], error: str) -> dict[str, Any]:
    return {
        "time": reading["time"],
        "value": reading["value"],
        "estimated": reading.get("estimated"),
        "note": reading.get("note"),
        "error": error,
    }
