"""Editing a channel version (EditChannelVersionV202101) on plain data: the request against the channel's
version chain, the known units and the UDF definitions. Returns the chain after the edit or raises every
violation found; nothing is written until the whole request passes.

Each check carries the `x-rules` id of `specs/energycap-readings.yaml` it implements.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from mockserver.apis.energycap.rules import Channel, Version, parse_time
from mockserver.errors import RulesBroken, RuleViolation
from mockserver.timestamps import format_datetime

# "Must be between 12/30/1899 and 12/31/2099": both days included.
EARLIEST = datetime(1899, 12, 30, tzinfo=UTC)
LATEST = datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)

_OUTCOMES = {
    "ECAP-CV-002": (404, "NOT_FOUND"),
    "ECAP-CV-003": (404, "NOT_FOUND"),
    "ECAP-CV-004": (404, "NOT_FOUND"),
    "ECAP-CV-007": (400, "INVALID_REQUEST"),
    "ECAP-CV-008": (400, "UNKNOWN_UNIT"),
    "ECAP-CV-012": (400, "INVALID_UDF"),
    "ECAP-CV-013": (400, "INVALID_UDF_VALUE"),
    "ECAP-CV-015": (400, "VERSION_DATES"),
    "ECAP-CV-020": (400, "INVALID_REQUEST"),
    "ECAP-CH-002": (404, "NOT_FOUND"),
}

# The data type codes whose values the mock checks; EnergyCAP does not publish its list, so any other code
# (free text, memo, link...) takes any string.
_NUMBER_TYPES = frozenset({"number", "numeric", "decimal", "currency", "float"})
_INTEGER_TYPES = frozenset({"integer", "int"})
_DATE_TYPES = frozenset({"date", "datetime"})
_BOOLEAN_TYPES = frozenset({"boolean", "bool", "checkbox"})


@dataclass(frozen=True)
class UdfDefinition:
    udf_id: int
    data_type_code: str
    select_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class VersionChange:
    """The chain after the edit (every version, in order) and the UDF values to write (None clears)."""

    versions: tuple[Version, ...]
    udf_values: dict[int, str | None]


def violation(rule_id: str, message: str, field: str | None = None) -> RuleViolation:
    status, code = _OUTCOMES[rule_id]
    return RuleViolation(rule_id, status, code, message, field=field)


def require_channel(
    meter_exists: bool, channel: Channel | None, meter_id: int, channel_id: int, *, editing: bool
) -> Channel:
    """ECAP-CV-002 / -003 when editing, ECAP-CH-002 when reading: the meter exists, the channel is linked to it."""
    if not meter_exists:
        raise RulesBroken([violation("ECAP-CV-002" if editing else "ECAP-CH-002", f"Meter {meter_id} not found")])
    if channel is None or channel.meter_id != meter_id:
        message = f"Channel {channel_id} not found on meter {meter_id}"
        raise RulesBroken([violation("ECAP-CV-003" if editing else "ECAP-CH-002", message)])
    return channel


# "Max scale: 16, Max precision: 38" for both numbers; within 0..999999999999999 the precision cannot bind.
MAX_SCALE = 16


def scale_problems(request: dict[str, Any]) -> list[RuleViolation]:
    """ECAP-CV-020: maximumReading and multiplier carry at most 16 decimal places."""
    problems = []
    for name in ("maximumReading", "multiplier"):
        exponent = Decimal(repr(request[name])).as_tuple().exponent
        if isinstance(exponent, int) and -exponent > MAX_SCALE:
            problems.append(violation("ECAP-CV-020", f"{name} has more than {MAX_SCALE} decimal places", name))
    return problems


def begin_problems(chain: Sequence[Version], index: int, begin: datetime) -> list[RuleViolation]:
    if not EARLIEST <= begin <= LATEST:
        return [violation("ECAP-CV-007", "beginDate must be between 12/30/1899 and 12/31/2099", "beginDate")]
    previous = chain[index - 1] if index > 0 else None
    following = chain[index + 1] if index + 1 < len(chain) else None
    if previous is not None and previous.begin is not None and begin <= previous.begin:
        return [violation("ECAP-CV-015", f"beginDate must be after the previous version's beginDate "
                                         f"({format_datetime(previous.begin)})", "beginDate")]  # fmt: skip
    if following is not None and following.begin is not None and begin >= following.begin:
        return [violation("ECAP-CV-015", f"beginDate must be before the next version's beginDate "
                                         f"({format_datetime(following.begin)})", "beginDate")]  # fmt: skip
    return []


def udf_values(
    entries: list[dict[str, Any]] | None, definitions: Mapping[int, UdfDefinition]
) -> tuple[dict[int, str | None], list[RuleViolation]]:
    """ECAP-CV-009..013: a null or empty list assigns nothing; a listed UDF gets its value, null clearing it."""
    values: dict[int, str | None] = {}
    problems = []
    for position, entry in enumerate(entries or []):
        udf_id, value, field = entry["udfId"], entry.get("value"), f"udfs[{position}]"
        definition = definitions.get(udf_id)
        if definition is None:
            problems.append(violation("ECAP-CV-012", f"UDF {udf_id} not found", field))
        elif udf_id in values:
            problems.append(violation("ECAP-CV-012", f"UDF {udf_id} is listed twice", field))
        elif value is not None and (why := _value_problem(definition, value)):
            problems.append(violation("ECAP-CV-013", f"UDF {udf_id}: {why}", field + ".value"))
        values[udf_id] = value
    return values, problems


def _value_problem(definition: UdfDefinition, value: str) -> str | None:
    if definition.select_values and value not in definition.select_values:
        return f"{value!r} is not one of its select values ({', '.join(definition.select_values)})"
    kind = definition.data_type_code.lower()
    try:
        if kind in _NUMBER_TYPES and not math.isfinite(float(value)):
            raise ValueError(value)  # "nan", "Infinity" and "1e400" read as floats, but are no number
        elif kind in _INTEGER_TYPES:
            int(value)
        elif kind in _DATE_TYPES:
            parse_time(value) if "T" in value else date.fromisoformat(value)
        elif kind in _BOOLEAN_TYPES and value.lower() not in ("true", "false"):
            raise ValueError(value)
    except ValueError:
        return f"{value!r} is not a valid {definition.data_type_code}"
    return None


def edit_version(
    channel: Channel,
    version_id: int,
    request: dict[str, Any],
    known_units: Container[str],
    udf_definitions: Mapping[int, UdfDefinition],
    *,
    begin_problems: Callable[[Sequence[Version], int, datetime], list[RuleViolation]] = begin_problems,
    scale_problems: Callable[[dict[str, Any]], list[RuleViolation]] = scale_problems,
    udf_values: Callable[[Any, Mapping[int, UdfDefinition]], tuple[dict[int, str | None], list[RuleViolation]]] = (
        udf_values
    ),
) -> VersionChange:
    """The checks are parameters so that a test can serve a mock that gets one of them wrong."""
    chain = list(channel.versions)
    index = next((i for i, version in enumerate(chain) if version.version_id == version_id), None)
    if index is None:
        raise RulesBroken([violation("ECAP-CV-004", f"Version {version_id} not found on channel {channel.channel_id}")])
    problems: list[RuleViolation] = []
    begin = chain[index].begin
    if request.get("beginDate") is not None:  # ECAP-CV-016: omitted, the version keeps its beginDate
        begin = parse_time(request["beginDate"])
        problems += begin_problems(chain, index, begin)
    problems += scale_problems(request)
    if request["unitCode"] not in known_units:
        problems.append(violation("ECAP-CV-008", f"Unit {request['unitCode']} not found", "unitCode"))
    values, udf_problems = udf_values(request.get("udfs"), udf_definitions)
    problems += udf_problems
    if problems:
        raise RulesBroken(problems)
    chain[index] = dataclasses.replace(
        chain[index],
        begin=begin,
        unit_code=request["unitCode"],
        multiplier=float(request["multiplier"]),
        maximum_reading=float(request["maximumReading"]),
        observation_rule=request["observationRule"],
    )
    if index > 0 and begin is not None:  # ECAP-CV-014: the previous version ends where this one begins
        chain[index - 1] = dataclasses.replace(chain[index - 1], end=begin)
    return VersionChange(tuple(chain), values)
