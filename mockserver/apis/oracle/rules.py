"""Oracle meter reading rules: plain data and `now` in, a new reading out, or the violations raised.

Each check carries the `x-rules` id of `specs/oracle-meter-readings.yaml` it implements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from mockserver.errors import RulesBroken, RuleViolation
from mockserver.timestamps import parse_datetime

ABSOLUTE, CHANGE, RESET = "ORA_ABSOLUTE", "ORA_CHANGE", "ORA_RESET"
ASSET, CONTRACT_LINE = "ORA_ASSET", "ORA_CONTRACT_LINE"
ASCENDING, DESCENDING, BOTH = "ASCENDING", "DESCENDING", "BOTH"  # READING_DIRECTION of a template


@dataclass(frozen=True)
class Template:
    meter_definition_id: int
    meter_code: str
    reading_type: str
    direction: str = ASCENDING
    min_value: float | None = None
    max_value: float | None = None
    rollover_allowed: bool = False
    rollover_max_value: float | None = None
    rollover_reset_value: float | None = None
    reset_allowed: bool = False
    reset_value: float | None = None
    initial_value: float | None = None


@dataclass(frozen=True)
class Meter:
    meter_id: int
    usage_code: str
    template: Template
    active_start: datetime
    active_end: datetime | None = None
    asset_id: int | None = None
    asset_number: str | None = None


class Reading(NamedTuple):
    meter_reading_id: int
    meter_id: int
    reading_date: datetime
    reading_type: str
    reading_value: float | None
    net_value: float | None
    rollover_flag: bool = False
    reset_flag: bool = False
    initial_flag: bool = False
    modified_flag: bool = False
    disabled_flag: bool = False
    canceled_flag: bool = False
    comments: str | None = None
    version: int = 1


@dataclass(frozen=True)
class MeterKey:
    """How a request names its meter: by asset id and meter id, asset number and meter code, or meter id."""

    asset_id: int | None = None
    meter_id: int | None = None
    asset_number: str | None = None
    meter_code: str | None = None
    usage_code: str | None = None


_OUTCOMES = {
    "ORA-MR-001": (400, "ORA_CSE_METER_NOT_IDENTIFIED"),
    "ORA-MR-002": (400, "ORA_CSE_METER_NOT_IDENTIFIED"),
    "ORA-MR-003": (400, "ORA_CSE_METER_NOT_FOUND"),
    "ORA-MR-004": (400, "ORA_CSE_READING_DATE_FUTURE"),
    "ORA-MR-005": (400, "ORA_CSE_READING_DATE_NOT_LATEST"),
    "ORA-MR-006": (400, "ORA_CSE_READING_DATE_INACTIVE"),
    "ORA-MR-007": (400, "ORA_CSE_READING_VALUE_DIRECTION"),
    "ORA-MR-008": (400, "ORA_CSE_READING_VALUE_DIRECTION"),
    "ORA-MR-009": (400, "ORA_CSE_ROLLOVER_NOT_ALLOWED"),
    "ORA-MR-010": (400, "ORA_CSE_CHANGE_NEGATIVE"),
    "ORA-MR-012": (400, "ORA_CSE_RESET_NOT_ALLOWED"),
    "ORA-MR-046": (400, "ORA_CSE_RESET_VALUE"),
    "ORA-MR-047": (400, "ORA_CSE_ROLLOVER_VALUE"),
    "ORA-MR-013": (400, "ORA_CSE_READING_VALUE_RANGE"),
    "ORA-MR-014": (400, "ORA_CSE_READING_VALUE_RANGE"),
    "ORA-MR-015": (400, "ORA_CSE_READING_VALUE_REQUIRED"),
    "ORA-MR-016": (400, "ORA_CSE_READING_TYPE_INVALID"),
    "ORA-MR-033": (400, "ORA_CSE_READING_NOT_LAST"),
    "ORA-MR-036": (400, "ORA_CSE_READING_DISABLED"),
}


def _broken(rule_id: str, message: str, field: str | None = None) -> RulesBroken:
    status, code = _OUTCOMES[rule_id]
    return RulesBroken([RuleViolation(rule_id, status, code, message, field=field)])


def meter_key(request: dict[str, Any]) -> MeterKey:
    """ORA-MR-001 / -002: which pair the request names its meter by."""
    asset_id, meter_id = request.get("AssetId"), request.get("MeterId")
    asset_number, meter_code = request.get("AssetNumber"), request.get("MeterCode")
    usage = request.get("MeterUsageCode")
    meter_id = int(meter_id) if meter_id is not None else None  # the vendor's own example sends digits as text
    if asset_id is not None and meter_id is not None and asset_number is None and meter_code is None:
        return MeterKey(asset_id=asset_id, meter_id=meter_id, usage_code=usage)
    if asset_number is not None and meter_code is not None and asset_id is None and meter_id is None:
        return MeterKey(asset_number=asset_number, meter_code=meter_code, usage_code=usage)
    if usage == CONTRACT_LINE and meter_id is not None and asset_id is None and asset_number is None:
        return MeterKey(meter_id=meter_id, usage_code=usage)
    if all(value is None for value in (asset_id, meter_id, asset_number, meter_code)):
        raise _broken("ORA-MR-001", "Provide AssetId and MeterId, or AssetNumber and MeterCode, to identify the meter.")
    raise _broken(
        "ORA-MR-002",
        "Identify the meter with a complete pair: AssetId and MeterId, or AssetNumber and MeterCode "
        "(MeterId alone only for ORA_CONTRACT_LINE meters).",
        field="MeterId" if asset_id is not None or asset_number is not None else "AssetId",
    )


def require_meter(key: MeterKey, meter: Meter | None) -> Meter:
    """ORA-MR-003: the pair names a meter (of the usage asked for, if any)."""
    if meter is None or (key.usage_code is not None and key.usage_code != meter.usage_code):
        named = ", ".join(f"{name}={value}" for name, value in vars(key).items() if value is not None)
        raise _broken("ORA-MR-003", f"No meter matches {named}.", field="MeterId")
    return meter


def parse_reading_date(text: str) -> datetime:
    """A date-time, or a date alone (the vendor's example 3), which means midnight UTC."""
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    return parse_datetime(text)


def create_reading(meter: Meter, last: Reading | None, request: dict[str, Any], now: datetime, new_id: int) -> Reading:
    """The reading ``request`` records on ``meter`` after ``last`` (its latest active reading)."""
    template = meter.template
    reading_date = parse_reading_date(request["ReadingDate"])
    if reading_date > now:
        raise _broken(
            "ORA-MR-004", "The reading date must be less than or equal to the system date and time.", "ReadingDate"
        )
    if reading_date < meter.active_start or (meter.active_end is not None and reading_date > meter.active_end):
        raise _broken("ORA-MR-006", "The reading date is outside the meter's active dates.", "ReadingDate")
    if last is not None and reading_date <= last.reading_date:
        raise _broken(
            "ORA-MR-005",
            f"The reading date must be later than the last reading ({last.reading_date.isoformat()}).",
            "ReadingDate",
        )
    reading_type = request["ReadingTypeCode"]
    common = {
        "meter_reading_id": new_id,
        "meter_id": meter.meter_id,
        "reading_date": reading_date,
        "reading_type": reading_type,
        "comments": request.get("Comments"),
        "initial_flag": last is None,
    }
    previous_net = last.net_value if last is not None and last.net_value is not None else 0.0
    if reading_type == RESET:
        if not template.reset_allowed:
            raise _broken(
                "ORA-MR-012", f"Meter template {template.meter_code} does not allow resets.", "ReadingTypeCode"
            )
        value = template.reset_value if template.reset_value is not None else 0.0
        _check_reset_value(request.get("ReadingValue"), value)
        return Reading(**common, reading_value=value, net_value=previous_net, reset_flag=True)
    if reading_type != template.reading_type:
        raise _broken(
            "ORA-MR-016",
            f"Meter template {template.meter_code} records {template.reading_type} readings, not {reading_type}.",
            "ReadingTypeCode",
        )
    if request.get("ReadingValue") is None:
        raise _broken("ORA-MR-015", "A reading value is required.", "ReadingValue")
    value = float(request["ReadingValue"])
    if reading_type == CHANGE:
        if value < 0:
            raise _broken("ORA-MR-010", "A change reading must be greater than or equal to zero.", "ReadingValue")
        return Reading(**common, reading_value=value, net_value=next_net_value(template, last, CHANGE, value, False))
    rollover = request.get("RolloverFlag") is True
    _check_absolute_value(template, last, value, rollover)
    return Reading(
        **common,
        reading_value=value,
        net_value=next_net_value(template, last, ABSOLUTE, value, rollover),
        rollover_flag=rollover,
    )


def next_net_value(template: Template, last: Reading | None, reading_type: str, value: float, rollover: bool) -> float:
    """NetValue after a reading: cumulative, irrespective of resets and rollovers."""
    previous_net = last.net_value if last is not None and last.net_value is not None else 0.0
    if reading_type == RESET:
        return previous_net
    if reading_type == CHANGE:
        return previous_net + value
    return value if last is None else previous_net + net_change(template, last, value, rollover)


def disable_reading(
    template: Template, target: Reading, previous: Reading | None, later: list[Reading], first_new_id: int
) -> tuple[Reading, list[Reading]]:
    """ORA-MR-032: disable ``target``; the later active readings are re-created (new ids) in one pass,
    each NetValue recomputed from the reading before it. Returns the disabled reading and the new ones."""
    if target.disabled_flag:
        raise _broken("ORA-MR-036", f"Meter reading {target.meter_reading_id} is already disabled.", "DisabledFlag")
    if (target.reset_flag or target.rollover_flag) and later:
        kind = "reset" if target.reset_flag else "rollover"
        raise _broken(
            "ORA-MR-033", f"A {kind} reading can be disabled only while it is the last active reading.", "DisabledFlag"
        )
    recreated = []
    for offset, reading in enumerate(later):
        net = next_net_value(
            template, previous, reading.reading_type, reading.reading_value or 0.0, reading.rollover_flag
        )
        previous = reading._replace(
            meter_reading_id=first_new_id + offset, net_value=net, initial_flag=previous is None,
            modified_flag=True, version=1,
        )  # fmt: skip
        recreated.append(previous)
    return target._replace(disabled_flag=True, version=target.version + 1), recreated


def _check_absolute_value(template: Template, last: Reading | None, value: float, rollover: bool) -> None:
    if rollover and not template.rollover_allowed:
        raise _broken("ORA-MR-009", f"Meter template {template.meter_code} does not allow rollover.", "RolloverFlag")
    if (template.min_value is not None and value < template.min_value) or (
        template.max_value is not None and value > template.max_value
    ):
        raise _broken(
            "ORA-MR-013",
            f"The reading value must be between {template.min_value} and {template.max_value}.",
            "ReadingValue",
        )
    if template.rollover_max_value is not None and value > template.rollover_max_value:
        raise _broken(
            "ORA-MR-014",
            f"The reading value must not exceed the rollover maximum {template.rollover_max_value}.",
            "ReadingValue",
        )
    if last is None or last.reading_value is None:
        return
    if rollover:
        _check_rollover_direction(template, last.reading_value, value)
        return
    if template.direction == DESCENDING and value > last.reading_value:
        raise _broken(
            "ORA-MR-008",
            f"The reading value must be less than or equal to the last reading ({last.reading_value:g}).",
            "ReadingValue",
        )
    if template.direction == ASCENDING and value < last.reading_value:
        raise _broken(
            "ORA-MR-007",
            f"The reading value must be greater than or equal to the last reading ({last.reading_value:g}).",
            "ReadingValue",
        )


def _check_reset_value(sent: Any, reset_value: float) -> None:
    """ORA-MR-046: a reset records the template's reset value; a different value sent with it is refused."""
    if sent is not None and float(sent) != reset_value:
        raise _broken(
            "ORA-MR-046",
            f"A reset records the meter template's reset value ({reset_value:g}), not {float(sent):g}.",
            "ReadingValue",
        )


def _check_rollover_direction(template: Template, last_value: float, value: float) -> None:
    """ORA-MR-047: a rollover reading lies past the rollover point, below the last value on an ascending meter
    (above it on a descending one); a value that moved the normal way cannot tell how often the meter wrapped."""
    if template.direction == BOTH:
        raise _broken("ORA-MR-047", "A meter read in both directions has no rollover point to pass.", "RolloverFlag")
    descending = template.direction == DESCENDING
    if (value <= last_value) if descending else (value >= last_value):
        side = "above" if descending else "below"
        raise _broken(
            "ORA-MR-047",
            f"A rollover reading must be {side} the last reading ({last_value:g}).",
            "ReadingValue",
        )


def net_change(template: Template, last: Reading, value: float, rollover: bool) -> float:
    """What an absolute reading adds to NetValue, counting through a rollover (the counter wraps)."""
    previous = last.reading_value if last.reading_value is not None else 0.0
    if not rollover:
        # ORA-MR-050: a meter read in both directions moves NetValue by the signed difference.
        return previous - value if template.direction == DESCENDING else value - previous
    top = template.rollover_max_value if template.rollover_max_value is not None else previous
    bottom = template.rollover_reset_value if template.rollover_reset_value is not None else 0.0
    if template.direction == DESCENDING:
        return (previous - bottom) + (top - value)
    return (top - previous) + (value - bottom)
