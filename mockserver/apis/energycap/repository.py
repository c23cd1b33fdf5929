"""Reads and writes EnergyCAP state as the plain data `rules.py` works on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select

from mockserver.apis.energycap import read_back
from mockserver.apis.energycap.rules import Catalog, Channel, Version
from mockserver.apis.energycap.tables import channels, meters, readings, units, versions
from mockserver.store import locks
from mockserver.store.prepared import Prepared
from mockserver.timestamps import parse_datetime, sortable_datetime

Window = Callable[[datetime | None, datetime | None, datetime | None], tuple[datetime | None, datetime | None]]

_insert_reading = Prepared(insert(readings))
_READING_NAMES = ("tenant", "channel_id", "time", "value", "estimated", "note")


def channels_where(connection: Connection, tenant: str, *where: Any) -> list[Channel]:
    rows = connection.execute(select(channels).where(channels.c.tenant == tenant, *where)).all()
    if not rows:
        return []
    ids = [row.channel_id for row in rows]
    by_channel: dict[int, list[Version]] = {channel_id: [] for channel_id in ids}
    for v in connection.execute(
        select(versions)
        .where(versions.c.tenant == tenant, versions.c.channel_id.in_(ids))
        .order_by(versions.c.channel_id, versions.c.begin_date.asc().nulls_first())
    ):
        by_channel[v.channel_id].append(
            Version(
                v.version_id,
                parse_datetime(v.begin_date) if v.begin_date else None,
                parse_datetime(v.end_date) if v.end_date else None,
                v.unit_code,
                v.multiplier,
                v.maximum_reading,
                v.observation_rule,
            )
        )
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
        found = channels_where(connection, tenant, channels.c.channel_id == channel_id)
        return found[0] if found else None

    def by_import_id(import_id: str) -> Channel | None:
        found = channels_where(connection, tenant, channels.c.channel_import_id == import_id)
        return found[0] if found else None

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
    wanted = {sortable_datetime(moment) for moment in times}
    if not wanted:
        return set()
    rows = connection.scalars(
        select(readings.c.time).where(
            readings.c.tenant == tenant,
            readings.c.channel_id == channel_id,
            readings.c.time.between(min(wanted), max(wanted)),
        )
    )
    return {parse_datetime(text) for text in rows if text in wanted}


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
    found = channels_where(connection, tenant, channels.c.channel_id == channel_id)
    if not found:
        return None
    channel = found[0]
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
