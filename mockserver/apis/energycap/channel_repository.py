"""Reads and writes what a channel edit and a channel read need: the channel with its versions, its meter,
the reference data its response names, its UDF values and the span of its readings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from mockserver.apis.energycap.repository import channel_by_id
from mockserver.apis.energycap.rules import Channel
from mockserver.apis.energycap.tables import (
    channels,
    meters,
    observation_types,
    readings,
    udfs,
    units,
    version_udfs,
    versions,
)
from mockserver.apis.energycap.version_edit import UdfDefinition, VersionChange
from mockserver.timestamps import parse_datetime, sortable_datetime


@dataclass(frozen=True)
class ChannelRecord:
    """Everything ChannelResponseV202101 shows, as stored."""

    channel: Channel
    channel_row: Any
    meter_row: Any
    observation_type: Any | None
    units: dict[str, Any]  # unit code -> row
    udfs: list[Any]  # definitions, in display order
    udf_values: dict[int, dict[int, str]]  # version id -> udf id -> value
    first_reading: datetime | None
    last_reading: datetime | None


def meter_exists(connection: Connection, tenant: str, meter_id: int) -> bool:
    found = connection.scalar(select(meters.c.meter_id).where(meters.c.tenant == tenant, meters.c.meter_id == meter_id))
    return found is not None


def channel(connection: Connection, tenant: str, channel_id: int) -> Channel | None:
    return channel_by_id(connection, tenant, channel_id)


def unit_codes(connection: Connection, tenant: str) -> set[str]:
    return set(connection.scalars(select(units.c.unit_code).where(units.c.tenant == tenant)))


def udf_definitions(connection: Connection, tenant: str) -> dict[int, UdfDefinition]:
    return {
        row.udf_id: UdfDefinition(
            row.udf_id, row.data_type.get("dataTypeCode", ""), tuple(v["value"] for v in row.select_values)
        )
        for row in connection.execute(select(udfs).where(udfs.c.tenant == tenant))
    }


def save(connection: Connection, tenant: str, before: Channel, change: VersionChange, version_id: int) -> None:
    """Writes the versions the edit changed and the edited version's UDF values."""
    for old, new in zip(before.versions, change.versions, strict=True):
        if old != new:
            connection.execute(
                update(versions)
                .where(
                    versions.c.tenant == tenant,
                    versions.c.channel_id == before.channel_id,
                    versions.c.version_id == new.version_id,
                )
                .values(
                    begin_date=sortable_datetime(new.begin) if new.begin else None,
                    end_date=sortable_datetime(new.end) if new.end else None,
                    unit_code=new.unit_code,
                    multiplier=new.multiplier,
                    maximum_reading=new.maximum_reading,
                    observation_rule=new.observation_rule,
                )
            )
    if change.udf_values:
        key = (
            version_udfs.c.tenant == tenant,
            version_udfs.c.channel_id == before.channel_id,
            version_udfs.c.version_id == version_id,
        )
        connection.execute(delete(version_udfs).where(*key, version_udfs.c.udf_id.in_(list(change.udf_values))))
        assigned = [
            {"tenant": tenant, "channel_id": before.channel_id, "version_id": version_id, "udf_id": udf_id,
             "value": value}
            for udf_id, value in change.udf_values.items()
            if value is not None
        ]  # fmt: skip
        if assigned:
            connection.execute(insert(version_udfs), assigned)


def record(connection: Connection, tenant: str, found: Channel) -> ChannelRecord:
    channel_row = connection.execute(
        select(channels).where(channels.c.tenant == tenant, channels.c.channel_id == found.channel_id)
    ).one()
    meter_row = connection.execute(
        select(meters).where(meters.c.tenant == tenant, meters.c.meter_id == found.meter_id)
    ).one()
    observation_type = connection.execute(
        select(observation_types).where(
            observation_types.c.tenant == tenant,
            observation_types.c.observation_type_code == found.observation_type_code,
        )
    ).first()
    codes = {version.unit_code for version in found.versions}
    unit_rows = connection.execute(select(units).where(units.c.tenant == tenant, units.c.unit_code.in_(codes)))
    definitions = connection.execute(
        select(udfs).where(udfs.c.tenant == tenant).order_by(udfs.c.display_order, udfs.c.udf_id)
    ).all()
    values: dict[int, dict[int, str]] = {}
    for row in connection.execute(
        select(version_udfs).where(version_udfs.c.tenant == tenant, version_udfs.c.channel_id == found.channel_id)
    ):
        values.setdefault(row.version_id, {})[row.udf_id] = row.value
    # Two subqueries, not min() and max() in one: SQLite answers each from the primary key's ends, not a scan.
    of_channel = (readings.c.tenant == tenant, readings.c.channel_id == found.channel_id)
    first, last = connection.execute(
        select(
            select(func.min(readings.c.time)).where(*of_channel).scalar_subquery(),
            select(func.max(readings.c.time)).where(*of_channel).scalar_subquery(),
        )
    ).one()
    return ChannelRecord(
        channel=found,
        channel_row=channel_row,
        meter_row=meter_row,
        observation_type=observation_type,
        units={row.unit_code: row for row in unit_rows},
        udfs=list(definitions),
        udf_values=values,
        first_reading=parse_datetime(first) if first else None,
        last_reading=parse_datetime(last) if last else None,
    )
