"""Reads and writes Oracle state as the plain data `rules.py` works on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, insert, select

from mockserver.apis.oracle.rules import Meter, MeterKey, Reading, Template
from mockserver.apis.oracle.tables import assets, meters, readings, templates
from mockserver.store.prepared import Prepared
from mockserver.timestamps import format_datetime, parse_datetime

FIRST_READING_ID = 300100000000001  # the vendor's ids are 15-digit numbers

_TEMPLATE_COLUMNS = [column.name for column in templates.c if column.name != "tenant"]

_meter_select = (
    select(
        meters.c.meter_id,
        meters.c.usage_code,
        meters.c.active_start,
        meters.c.active_end,
        assets.c.asset_id,
        assets.c.asset_number,
        *(templates.c[name] for name in _TEMPLATE_COLUMNS),
    )
    .select_from(meters)
    .join(
        templates,
        and_(templates.c.tenant == meters.c.tenant, templates.c.meter_definition_id == meters.c.meter_definition_id),
    )
    .outerjoin(assets, and_(assets.c.tenant == meters.c.tenant, assets.c.asset_id == meters.c.asset_id))
    .where(meters.c.tenant == bindparam("tenant"))
)
_meter_by_id = Prepared(_meter_select.where(meters.c.meter_id == bindparam("meter_id")))
_meter_by_asset_and_code = Prepared(
    _meter_select.where(
        assets.c.asset_number == bindparam("asset_number"), templates.c.meter_code == bindparam("meter_code")
    )
)

_READING_COLUMNS = [column.name for column in readings.c if column.name != "tenant"]
_last_active = Prepared(
    select(*(readings.c[name] for name in _READING_COLUMNS))
    .where(
        readings.c.tenant == bindparam("tenant"),
        readings.c.meter_id == bindparam("meter_id"),
        readings.c.disabled_flag == bindparam("disabled"),
    )
    .order_by(readings.c.reading_date.desc())
    .limit(1)
)
_by_id = Prepared(
    select(*(readings.c[name] for name in _READING_COLUMNS)).where(
        readings.c.tenant == bindparam("tenant"), readings.c.meter_reading_id == bindparam("reading_id")
    )
)
_max_id = Prepared(select(func.max(readings.c.meter_reading_id)).where(readings.c.tenant == bindparam("tenant")))


def _meter(row: tuple[Any, ...] | None) -> Meter | None:
    if row is None:
        return None
    meter_id, usage, active_start, active_end, asset_id, asset_number, *template_values = row
    template = dict(zip(_TEMPLATE_COLUMNS, template_values, strict=True))
    template["rollover_allowed"] = bool(template["rollover_allowed"])
    template["reset_allowed"] = bool(template["reset_allowed"])
    return Meter(
        meter_id=meter_id,
        usage_code=usage,
        template=Template(**template),
        active_start=parse_datetime(active_start),
        active_end=parse_datetime(active_end) if active_end else None,
        asset_id=asset_id,
        asset_number=asset_number,
    )


def _reading(row: tuple[Any, ...] | None) -> Reading | None:
    if row is None:
        return None
    values = dict(zip(_READING_COLUMNS, row, strict=True))
    return Reading(
        meter_reading_id=values["meter_reading_id"],
        meter_id=values["meter_id"],
        reading_date=parse_datetime(values["reading_date"]),
        reading_type=values["reading_type"],
        reading_value=values["reading_value"],
        net_value=values["net_value"],
        rollover_flag=bool(values["rollover_flag"]),
        reset_flag=bool(values["reset_flag"]),
        initial_flag=bool(values["initial_flag"]),
        modified_flag=bool(values["modified_flag"]),
        disabled_flag=bool(values["disabled_flag"]),
        comments=values["comments"],
        version=values["version"],
    )


def find_meter(connection: Connection, tenant: str, key: MeterKey) -> Meter | None:
    if key.asset_number is not None:
        row = _meter_by_asset_and_code.first(
            connection, {"tenant": tenant, "asset_number": key.asset_number, "meter_code": key.meter_code}
        )
        return _meter(row)
    meter = _meter(_meter_by_id.first(connection, {"tenant": tenant, "meter_id": key.meter_id}))
    if meter is not None and key.asset_id is not None and meter.asset_id != key.asset_id:
        return None  # the meter exists, but not on that asset
    return meter


def last_active_reading(connection: Connection, tenant: str, meter_id: int) -> Reading | None:
    return _reading(_last_active.first(connection, {"tenant": tenant, "meter_id": meter_id, "disabled": False}))


def reading(connection: Connection, tenant: str, reading_id: int) -> Reading | None:
    return _reading(_by_id.first(connection, {"tenant": tenant, "reading_id": reading_id}))


def next_reading_id(connection: Connection, tenant: str) -> int:
    row = _max_id.first(connection, {"tenant": tenant})
    return FIRST_READING_ID if row is None or row[0] is None else row[0] + 1


def meter_of(connection: Connection, tenant: str, meter_id: int) -> Meter | None:
    return _meter(_meter_by_id.first(connection, {"tenant": tenant, "meter_id": meter_id}))


def add(connection: Connection, tenant: str, new: Reading) -> None:
    row = new._asdict()
    row["reading_date"] = format_datetime(new.reading_date)
    connection.execute(insert(readings).values(tenant=tenant, **row))
