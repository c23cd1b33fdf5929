"""Reads and writes Oracle state as the plain data `rules.py` works on."""

from __future__ import annotations

from dataclasses import fields
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Float, and_, bindparam, false, func, insert, select, true, update
from sqlalchemy.sql import ColumnElement

from mockserver.apis.oracle.query import Condition, Order
from mockserver.apis.oracle.rules import Meter, MeterKey, Reading, Template
from mockserver.apis.oracle.tables import assets, meters, privileges, readings, templates
from mockserver.store import locks
from mockserver.store.prepared import Prepared
from mockserver.store.tables import tenants
from mockserver.timestamps import parse_datetime, sortable_datetime

FIRST_READING_ID = 300100000000001  # the vendor's ids are 15-digit numbers

_TEMPLATE_COLUMNS = [column.name for column in templates.c if column.name != "tenant"]
assert tuple(_TEMPLATE_COLUMNS) == tuple(field.name for field in fields(Template))  # built from a row positionally

# A meter as `_meter` reads it: the meter, its asset, its template.
_METER_COLUMNS = (
    meters.c.meter_id,
    meters.c.usage_code,
    meters.c.active_start,
    meters.c.active_end,
    assets.c.asset_id,
    assets.c.asset_number,
    *(templates.c[name] for name in _TEMPLATE_COLUMNS),
)
_meter_select = (
    select(*_METER_COLUMNS)
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
assert tuple(_READING_COLUMNS) == Reading._fields
_readings = select(*(readings.c[name] for name in _READING_COLUMNS))
# Everything `GET meterReadings/{id}` reads, in one statement: a row exactly when the tenant is seeded (every other
# table is joined on a whole primary key, so at most one row each), with the privileges its credential holds, the
# reading unless canceled, and the reading's meter as `_meter_by_id` reads it (the template's key is null when
# the meter or its template is missing, which `_meter_by_id`'s inner join reads as no meter).
_shown = Prepared(
    select(privileges.c.privileges, *(readings.c[name] for name in _READING_COLUMNS), *_METER_COLUMNS)
    .select_from(
        tenants.outerjoin(privileges, privileges.c.tenant == tenants.c.tenant)
        .outerjoin(readings, and_(readings.c.tenant == tenants.c.tenant,
                                  readings.c.meter_reading_id == bindparam("reading_id"),
                                  readings.c.canceled_flag == false()))
        .outerjoin(meters, and_(meters.c.tenant == readings.c.tenant, meters.c.meter_id == readings.c.meter_id))
        .outerjoin(templates, and_(templates.c.tenant == meters.c.tenant,
                                   templates.c.meter_definition_id == meters.c.meter_definition_id))
        .outerjoin(assets, and_(assets.c.tenant == meters.c.tenant, assets.c.asset_id == meters.c.asset_id))
    )
    .where(tenants.c.tenant == bindparam("tenant"))
)  # fmt: skip
_READING_AT = 1  # where the reading's columns start in a row of `_shown`, then the meter's
_METER_AT = _READING_AT + len(_READING_COLUMNS)
_TEMPLATE_KEY_AT = _METER_AT + 6
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_active_of_meter = _readings.where(
    readings.c.tenant == bindparam("tenant"),
    readings.c.meter_id == bindparam("meter_id"),
    readings.c.disabled_flag == false(),
    readings.c.canceled_flag == false(),
)
_last_active = _active_of_meter.order_by(readings.c.reading_date.desc()).limit(1).subquery("last_active")
_top_id = (
    select(func.max(readings.c.meter_reading_id).label("top_id"))
    .where(readings.c.tenant == bindparam("tenant"))
    .subquery("top")
)
# The meter's last active reading beside the tenant's highest reading id: always one row (the aggregate's), the
# reading's columns null when the meter has no active reading.
_last_active_and_top_id = Prepared(
    select(_top_id.c.top_id, *_last_active.c).select_from(_top_id.outerjoin(_last_active, true()))
)
_last_active_before = Prepared(
    _active_of_meter.where(readings.c.reading_date < bindparam("date"))
    .order_by(readings.c.reading_date.desc())
    .limit(1)
)
_active_after = Prepared(
    _active_of_meter.where(readings.c.reading_date > bindparam("date")).order_by(readings.c.reading_date)
)
_by_id = Prepared(
    _readings.where(
        readings.c.tenant == bindparam("tenant"),
        readings.c.meter_reading_id == bindparam("reading_id"),
        readings.c.canceled_flag == false(),
    )
)
# One reading's row, as `row_of` gives it; every create writes one, so the INSERT is compiled once.
_ROW_NAMES = ("tenant", *_READING_COLUMNS)
_insert_reading = Prepared(insert(readings).values({name: bindparam(name) for name in _ROW_NAMES}))
# Names unlike the columns': Core keeps a column's own name for the value an UPDATE sets.
_DISABLE_NAMES = ("b_tenant", "b_id", "b_version")
_disable = Prepared(
    update(readings)
    .where(readings.c.tenant == bindparam("b_tenant"), readings.c.meter_reading_id == bindparam("b_id"))
    .values(disabled_flag=true(), version=bindparam("b_version"))
)
_CANCEL_NAMES = ("b_tenant", "b_meter", "b_after")
_cancel_later = Prepared(
    update(readings)
    .where(
        readings.c.tenant == bindparam("b_tenant"),
        readings.c.meter_id == bindparam("b_meter"),
        readings.c.reading_date > bindparam("b_after"),
        readings.c.disabled_flag == false(),
        readings.c.canceled_flag == false(),
    )
    .values(canceled_flag=true())
)
_privileges_of = Prepared(select(privileges.c.privileges).where(privileges.c.tenant == bindparam("tenant")))
_max_id = Prepared(select(func.max(readings.c.meter_reading_id)).where(readings.c.tenant == bindparam("tenant")))


# A stored date-time as `parse_datetime` reads it. The same few come back again and again (every meter's active
# dates, a reading read more than once); a datetime is immutable, and a text it refuses is not remembered.
_stored_moment = lru_cache(maxsize=4096)(parse_datetime)

# Template and Meter are frozen dataclasses whose `__init__` only sets each field (no defaults to fill in here, no
# `__post_init__`), through `object.__setattr__` one by one: a row's values are set at once, into a new instance's
# `__dict__`, for the same object at a third of the cost. Reading's `__new__` is tuple's, behind a Python call.
assert not hasattr(Template, "__post_init__") and not hasattr(Meter, "__post_init__")
_TEMPLATE_FIELDS = tuple(field.name for field in fields(Template))
_METER_FIELDS = tuple(field.name for field in fields(Meter))
_new_object = object.__new__
_new_tuple = tuple.__new__


# Meters as read, by their rows. Equal rows give equal meters, and these are frozen: one read again is the one
# built before. A row keeps its own meter, though, where an equal one may differ: a zero in a float column
# (-0.0 equals 0.0 and hashes alike, and the two show differently where a rule names the value; PostgreSQL keeps
# the sign). Other columns come back as one type each (a float column's 1 is 1.0, SQLite's integer column's 1.0
# is 1), and a NaN equals nothing, so it is never found.
_meters_read: dict[tuple[Any, ...], Meter] = {}
_MEMO_SIZE = 1024  # rows; all forgotten at once when full
_FLOATS_AT = tuple(
    6 + index for index, name in enumerate(_TEMPLATE_FIELDS) if isinstance(templates.c[name].type, Float)
)


def _meter(row: tuple[Any, ...] | None) -> Meter | None:
    """A row of `_METER_COLUMNS` (meter_id, usage_code, active_start, active_end, asset_id, asset_number, then the
    template's columns in the order of Template's fields), read positionally: keywords cost more than the read."""
    if row is None:
        return None
    meter = _meters_read.get(row)
    if meter is not None:
        return meter
    t = row[6:]
    template = _new_object(Template)
    template.__dict__.update(
        zip(_TEMPLATE_FIELDS, (*t[:6], bool(t[6]), t[7], t[8], bool(t[9]), t[10], t[11]), strict=True)
    )
    active_end = _stored_moment(row[3]) if row[3] else None
    meter = _new_object(Meter)
    meter.__dict__.update(
        zip(_METER_FIELDS, (row[0], row[1], template, _stored_moment(row[2]), active_end, row[4], row[5]), strict=True)
    )
    if all(row[at] is None or row[at] != 0 for at in _FLOATS_AT):
        if len(_meters_read) >= _MEMO_SIZE:
            _meters_read.clear()
        _meters_read[row] = meter
    return meter


def _reading(row: tuple[Any, ...] | None) -> Reading | None:
    """A row of `_READING_COLUMNS` (Reading's fields, asserted above), read positionally as `_meter` is."""
    if row is None:
        return None
    flags = (bool(row[6]), bool(row[7]), bool(row[8]), bool(row[9]), bool(row[10]), bool(row[11]))
    return _new_tuple(Reading, (*row[:2], _stored_moment(row[2]), *row[3:6], *flags, row[12], row[13]))


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


def _meter_lock(tenant: str, meter_id: int) -> locks.Name:
    return ("oracle meter", tenant, meter_id)


def _ids_lock(tenant: str) -> locks.Name:
    return ("oracle reading ids", tenant)


def hold_meter(connection: Connection, tenant: str, meter_id: int) -> None:
    """No other transaction adds, disables or re-creates the meter's readings until this one ends."""
    locks.exclusive(connection, _meter_lock(tenant, meter_id))


def last_active_and_next_id(connection: Connection, tenant: str, meter_id: int) -> tuple[Reading | None, int]:
    """The meter's last active reading, the meter held so that no new reading overtakes it, and then the next free
    id (as `next_reading_id`): both held in that order, both read in one statement."""
    locks.exclusive(connection, _meter_lock(tenant, meter_id), _ids_lock(tenant))
    row = _last_active_and_top_id.first(connection, {"tenant": tenant, "meter_id": meter_id})
    if row is None:
        raise AssertionError("an aggregate answers one row")
    last = _reading(row[1:]) if row[1] is not None else None
    return last, FIRST_READING_ID if row[0] is None else row[0] + 1


def neighbours(connection: Connection, tenant: str, target: Reading) -> tuple[Reading | None, list[Reading]]:
    """The active reading just before ``target`` and every active one after it, in time order."""
    parameters = {"tenant": tenant, "meter_id": target.meter_id, "date": sortable_datetime(target.reading_date)}
    before = _reading(_last_active_before.first(connection, parameters))
    return before, [_reading(row) for row in _active_after.all(connection, parameters)]  # type: ignore[misc]


def save_disabled(connection: Connection, tenant: str, disabled: Reading, recreated: list[Reading]) -> None:
    """The disabled reading, the later active ones canceled, and their re-created copies, in one go."""
    _disable.run_many(connection, _DISABLE_NAMES, [(tenant, disabled.meter_reading_id, disabled.version)])
    _cancel_later.run_many(
        connection, _CANCEL_NAMES, [(tenant, disabled.meter_id, sortable_datetime(disabled.reading_date))]
    )
    if recreated:
        _insert_reading.run_many(connection, _ROW_NAMES, [_row_values(tenant, reading) for reading in recreated])


_FILTERABLE: dict[str, ColumnElement[Any]] = {
    "MeterReadingId": readings.c.meter_reading_id,
    "MeterId": readings.c.meter_id,
    "AssetId": meters.c.asset_id,
    "AssetNumber": assets.c.asset_number,
    "MeterCode": templates.c.meter_code,
    "MeterUsageCode": meters.c.usage_code,
    "ReadingTypeCode": readings.c.reading_type,
    "ReadingDate": readings.c.reading_date,
    "DisabledFlag": readings.c.disabled_flag,
    "ReadingValue": readings.c.reading_value,
    "NetValue": readings.c.net_value,
}
_COMPARE = {
    "=": lambda column, value: column == value,
    "!=": lambda column, value: column != value,
    "<": lambda column, value: column < value,
    "<=": lambda column, value: column <= value,
    ">": lambda column, value: column > value,
    ">=": lambda column, value: column >= value,
}
# Attributes held by the meter, its asset or its template need those tables joined.
_JOINED = {"AssetId", "AssetNumber", "MeterCode", "MeterUsageCode"}


def list_readings(
    connection: Connection,
    tenant: str,
    conditions: list[Condition],
    orders: list[Order],
    limit: int,
    offset: int,
    with_total: bool,
) -> tuple[list[Reading], bool, int | None]:
    """A page of the tenant's readings (canceled ones left out), whether more follow, and the total."""
    where = [readings.c.tenant == tenant, readings.c.canceled_flag == false()]
    for condition in conditions:
        value = sortable_datetime(condition.value) if condition.attribute == "ReadingDate" else condition.value
        where.append(_COMPARE[condition.operator](_FILTERABLE[condition.attribute], value))
    source = readings
    if any(condition.attribute in _JOINED for condition in conditions):
        source = (
            readings.join(meters, and_(meters.c.tenant == readings.c.tenant, meters.c.meter_id == readings.c.meter_id))
            .join(templates, and_(templates.c.tenant == meters.c.tenant,
                                  templates.c.meter_definition_id == meters.c.meter_definition_id))
            .outerjoin(assets, and_(assets.c.tenant == meters.c.tenant, assets.c.asset_id == meters.c.asset_id))
        )  # fmt: skip
    order_by = [
        _FILTERABLE[order.attribute].desc() if order.descending else _FILTERABLE[order.attribute] for order in orders
    ] or [readings.c.meter_reading_id]
    page = connection.execute(
        _readings.select_from(source).where(*where).order_by(*order_by).limit(limit + 1).offset(offset)
    ).all()
    total = None
    if with_total:
        total = connection.execute(select(func.count()).select_from(source).where(*where)).scalar_one()
    found = [_reading(tuple(row)) for row in page[:limit]]
    return found, len(page) > limit, total  # type: ignore[return-value]


def every_reading(connection: Connection, tenant: str) -> list[Reading]:
    """All the tenant's readings the API answers (canceled ones left out), per meter in time order."""
    rows = connection.execute(
        _readings.where(readings.c.tenant == tenant, readings.c.canceled_flag == false()).order_by(
            readings.c.meter_id, readings.c.reading_date, readings.c.meter_reading_id
        )
    ).all()
    return [_reading(tuple(row)) for row in rows]  # type: ignore[misc]


def shown(
    connection: Connection, tenant: str, reading_id: int
) -> tuple[list[str] | None, Reading | None, Meter | None] | None:
    """What `GET meterReadings/{id}` answers from, read at once: the privileges the tenant's credential holds (as
    `held_privileges`), the reading (as `reading`) and its meter (as `meter_of`); None when the tenant is not seeded
    (for `Runtime.read`)."""
    # An id past what the store holds names no reading (as `Prepared` answers the statements that bind it alone).
    stored = reading_id if _INT64_MIN <= reading_id <= _INT64_MAX else None
    row = _shown.first(connection, {"tenant": tenant, "reading_id": stored})
    if row is None:
        return None
    found = _reading(row[_READING_AT:_METER_AT]) if row[_READING_AT] is not None else None
    meter = _meter(row[_METER_AT:]) if found is not None and row[_TEMPLATE_KEY_AT] is not None else None
    return _held(row[0]), found, meter


def reading(connection: Connection, tenant: str, reading_id: int) -> Reading | None:
    return _reading(_by_id.first(connection, {"tenant": tenant, "reading_id": reading_id}))


def next_reading_id(connection: Connection, tenant: str) -> int:
    """The next free id, held until the transaction ends; take it last (after the meter)."""
    locks.exclusive(connection, _ids_lock(tenant))
    row = _max_id.first(connection, {"tenant": tenant})
    return FIRST_READING_ID if row is None or row[0] is None else row[0] + 1


def meter_of(connection: Connection, tenant: str, meter_id: int) -> Meter | None:
    return _meter(_meter_by_id.first(connection, {"tenant": tenant, "meter_id": meter_id}))


def row_of(tenant: str, reading: Reading) -> dict[str, Any]:
    row = reading._asdict()
    row["reading_date"] = sortable_datetime(reading.reading_date)
    return {"tenant": tenant, **row}


def add(connection: Connection, tenant: str, new: Reading) -> None:
    _insert_reading.run_many(connection, _ROW_NAMES, [_row_values(tenant, new)])


def _row_values(tenant: str, reading: Reading) -> tuple[Any, ...]:
    """`row_of` as a tuple in `_ROW_NAMES` order (Reading's fields are the columns in table order)."""
    return (tenant, *reading[:2], sortable_datetime(reading.reading_date), *reading[3:])


def held_privileges(connection: Connection, tenant: str) -> list[str] | None:
    """The privileges the tenant's credential holds, or None when it holds every one."""
    row = _privileges_of.first(connection, {"tenant": tenant})
    return _held(None if row is None else row[0])


def _held(privileges: str | None) -> list[str] | None:
    return None if privileges is None else [name for name in privileges.split(",") if name]
