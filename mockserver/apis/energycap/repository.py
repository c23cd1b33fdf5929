"""Reads and writes EnergyCAP state as the plain data `rules.py` works on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select

from mockserver.apis.energycap import read_back
from mockserver.apis.energycap.rules import Catalog, Channel, Version
from mockserver.apis.energycap.tables import channels, meters, readings, units, versions
from mockserver.store import locks
from mockserver.store.prepared import Prepared
from mockserver.timestamps import parse_datetime, sortable_datetime

Window = Callable[[datetime | None, datetime | None, datetime | None], tuple[datetime | None, datetime | None]]

_insert_reading = Prepared(insert(readings))
_READING_NAMES = ("tenant", "channel_id", "time", "value", "estimated", "note")

# An import looks up each group's channel and the times it already has: prepared once and run on the raw cursor,
# since building and compiling Core for every group cost more than the lookups. A channel comes with its versions,
# one row per version (none: one row of nulls), oldest first.
_CHANNEL_COLUMNS = ("channel_id", "meter_id", "interval_seconds", "observation_type_code", "channel_import_id")
_VERSION_COLUMNS = (
    "version_id", "begin_date", "end_date", "unit_code", "multiplier", "maximum_reading", "observation_rule",
)  # fmt: skip
_with_versions = (
    select(*(channels.c[name] for name in _CHANNEL_COLUMNS), *(versions.c[name] for name in _VERSION_COLUMNS))
    .select_from(channels)
    .outerjoin(versions, and_(versions.c.tenant == channels.c.tenant, versions.c.channel_id == channels.c.channel_id))
    .where(channels.c.tenant == bindparam("tenant"))
    .order_by(channels.c.channel_id, versions.c.begin_date.asc().nulls_first())
)
_channel_by_id = Prepared(_with_versions.where(channels.c.channel_id == bindparam("channel_id")))
_channel_by_import_id = Prepared(_with_versions.where(channels.c.channel_import_id == bindparam("import_id")))
_taken_between = Prepared(
    select(readings.c.time).where(
        readings.c.tenant == bindparam("tenant"),
        readings.c.channel_id == bindparam("channel_id"),
        readings.c.time.between(bindparam("low"), bindparam("high")),
    )
)


def _version(row: Any) -> Version:
    version_id, begin, end, unit_code, multiplier, maximum_reading, observation_rule = row
    return Version(
        version_id,
        parse_datetime(begin) if begin else None,
        parse_datetime(end) if end else None,
        unit_code,
        multiplier,
        maximum_reading,
        observation_rule,
    )


def _first_channel(rows: list[tuple[Any, ...]]) -> Channel | None:
    """The first channel of joined rows (channels in id order, each with its versions)."""
    if not rows:
        return None
    channel_id, meter_id, interval_seconds, observation_type_code, channel_import_id = rows[0][:5]
    found = tuple(_version(row[5:]) for row in rows if row[0] == channel_id and row[5] is not None)
    return Channel(channel_id, meter_id, interval_seconds, observation_type_code, found, channel_import_id)


def channel_by_id(connection: Connection, tenant: str, channel_id: int) -> Channel | None:
    return _first_channel(_channel_by_id.all(connection, {"tenant": tenant, "channel_id": channel_id}))


def channels_where(connection: Connection, tenant: str, *where: Any) -> list[Channel]:
    rows = connection.execute(select(channels).where(channels.c.tenant == tenant, *where)).all()
    if not rows:
        return []
    ids = [row.channel_id for row in rows]
    by_channel: dict[int, list[Version]] = {channel_id: [] for channel_id in ids}
    for v in connection.execute(
        select(*(versions.c[name] for name in ("channel_id", *_VERSION_COLUMNS)))
        .where(versions.c.tenant == tenant, versions.c.channel_id.in_(ids))
        .order_by(versions.c.channel_id, versions.c.begin_date.asc().nulls_first())
    ):
        by_channel[v[0]].append(_version(v[1:]))
    return [
        Channel(row.channel_id, row.meter_id, row.interval_seconds, row.observation_type_code,
                tuple(by_channel[row.channel_id]), row.channel_import_id)
        for row in rows
    ]  # fmt: skip


def hold_channels(connection: Connection, tenant: str) -> None:
    """An import checks taken times and versions, an edit rewrites versions: one at a time per tenant."""
    locks.exclusive(connection, ("energycap channels", tenant))


def catalog(connection: Connection, tenant: str) -> Catalog:
    """The tenant's channels for an import, held until the transaction ends."""
    hold_channels(connection, tenant)

    def by_id(channel_id: int) -> Channel | None:
        return channel_by_id(connection, tenant, channel_id)

    def by_import_id(import_id: str) -> Channel | None:
        return _first_channel(_channel_by_import_id.all(connection, {"tenant": tenant, "import_id": import_id}))

    def of_meter(meter_import_id: str) -> list[Channel] | None:
        meter_ids = connection.scalars(
            select(meters.c.meter_id).where(meters.c.tenant == tenant, meters.c.meter_import_id == meter_import_id)
        ).all()
        if not meter_ids:
            return None
        return channels_where(connection, tenant, channels.c.meter_id.in_(meter_ids))

    return Catalog(by_id=by_id, by_import_id=by_import_id, of_meter=of_meter)


def taken_times(connection: Connection, tenant: str, channel_id: int, times: Iterable[datetime]) -> set[datetime]:
    """The times among ``times`` at which the channel already has a reading (one range query)."""
    asked = set(times)
    if not asked:
        return set()
    low, high = sortable_datetime(min(asked)), sortable_datetime(max(asked))
    rows = _taken_between.all(connection, {"tenant": tenant, "channel_id": channel_id, "low": low, "high": high})
    # Only the range's ends are formatted: the stored text is always sortable_datetime's, which fromisoformat reads
    # as it is, several times faster than formatting every time asked for.
    return {moment for (text,) in rows if (moment := datetime.fromisoformat(text)) in asked}


def store(connection: Connection, tenant: str, new: list[tuple[int, dict[str, Any]]]) -> None:
    if new:
        rows = [
            (
                tenant,
                channel_id,
                sortable_datetime(r["time"]),
                float(r["value"]),
                bool(r.get("estimated")),
                r.get("note"),
            )
            for channel_id, r in new
        ]
        _insert_reading.run_many(connection, _READING_NAMES, rows)


def channel_readings(
    connection: Connection,
    tenant: str,
    channel_id: int,
    begin: datetime | None,
    end: datetime | None,
    *,
    window: Window = read_back.window,
) -> tuple[Channel, list[Any], Any] | None:
    """The channel, its readings in the window (ECAP-RD-018 defaults applied by ``window``) and its unit's row."""
    channel = channel_by_id(connection, tenant, channel_id)
    if channel is None:
        return None
    unit_row = connection.execute(
        select(units).where(units.c.tenant == tenant, units.c.unit_code == channel.unit_code)
    ).first()
    if begin is None or end is None:
        latest = connection.execute(
            select(func.max(readings.c.time)).where(readings.c.tenant == tenant, readings.c.channel_id == channel_id)
        ).scalar_one()
        begin, end = window(begin, end, parse_datetime(latest) if latest else None)
        if end is None:
            return channel, [], unit_row
    where = [readings.c.tenant == tenant, readings.c.channel_id == channel_id]
    if begin is not None:
        where.append(readings.c.time >= sortable_datetime(begin))
    if end is not None:
        where.append(readings.c.time <= sortable_datetime(end))
    rows = connection.execute(select(readings).where(and_(*where)).order_by(readings.c.time)).all()
    return channel, rows, unit_row
