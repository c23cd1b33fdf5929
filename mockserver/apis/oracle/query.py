"""ADF collection queries as plain data: `q` (query by example or expression) and `orderBy`.

`q=MeterId=7;DisabledFlag=false` (REST framework 1) and `q=MeterId = 7 and ReadingDate >= '2026-01-01'`
(framework 2 and later) parse to the same conditions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mockserver.apis.oracle.rules import parse_reading_date
from mockserver.errors import RulesBroken, RuleViolation
from mockserver.numbers import parse_int64


def _boolean(text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError(f"{text!r} is not true or false")
    return text.lower() == "true"


# attribute -> how its values are read
QUERYABLE: dict[str, Callable[[str], Any]] = {
    "MeterReadingId": parse_int64,
    "MeterId": parse_int64,
    "AssetId": parse_int64,
    "AssetNumber": str,
    "MeterCode": str,
    "MeterUsageCode": str,
    "ReadingTypeCode": str,
    "ReadingDate": parse_reading_date,
    "DisabledFlag": _boolean,
}
SORTABLE = ("MeterReadingId", "MeterId", "ReadingDate", "ReadingValue", "NetValue", "ReadingTypeCode")
OPERATORS = ("=", "!=", "<>", "<", "<=", ">", ">=")

_CONDITION = re.compile(r"^\s*([A-Za-z]+)\s*(<>|!=|<=|>=|=|<|>)\s*(.+?)\s*$")
_SEPARATOR = re.compile(r";|\s+and\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Condition:
    attribute: str
    operator: str
    value: int | str | bool | datetime


@dataclass(frozen=True)
class Order:
    attribute: str
    descending: bool = False


def _refuse(rule_id: str, message: str, field: str) -> RulesBroken:
    return RulesBroken([RuleViolation(rule_id, 400, "ORA_ADF_INVALID_QUERY", message, field=field)])


def parse_q(text: str) -> list[Condition]:
    """ORA-MR-028: every condition names a queryable attribute, an operator and a readable value."""
    conditions = []
    for part in _SEPARATOR.split(text.strip()):
        if not part.strip():
            continue
        match = _CONDITION.match(part)
        if match is None:
            raise _refuse("ORA-MR-028", f"Cannot read the condition {part.strip()!r} in q.", "q")
        attribute, operator, raw = match.groups()
        reader = QUERYABLE.get(attribute)
        if reader is None:
            raise _refuse(
                "ORA-MR-028", f"q names {attribute!r}, which cannot be queried; use one of {', '.join(QUERYABLE)}.", "q"
            )
        try:
            value = reader(raw.strip().strip("'\""))
        except ValueError as error:
            raise _refuse("ORA-MR-028", f"q: {attribute} cannot be compared with {raw!r}: {error}", "q") from None
        conditions.append(Condition(attribute, "!=" if operator == "<>" else operator, value))
    return conditions


def parse_order_by(text: str) -> list[Order]:
    """ORA-MR-029: `Attribute[:asc|:desc]`, comma separated, sortable attributes only."""
    orders = []
    for part in text.split(","):
        name, _, direction = part.strip().partition(":")
        if name not in SORTABLE or direction.lower() not in ("", "asc", "desc"):
            raise _refuse("ORA-MR-029", f"orderBy {part.strip()!r}: sort by one of {', '.join(SORTABLE)}.", "orderBy")
        orders.append(Order(name, direction.lower() == "desc"))
    return orders


# Oracle's "Get all meter readings" page lists its finders; PrimaryKey is every ADF resource's own.
FINDERS: dict[str, tuple[str, ...]] = {
    "PrimaryKey": ("MeterReadingId",),
    "MetersByAssetMeterUserKey": ("AssetNumber", "MeterCode"),
}


def parse_finder(text: str) -> list[Condition]:
    """ORA-MR-041/042: `Name;Var=value,Var2=value2`, a finder of the resource with its own variables only."""
    name, _, assignments = text.partition(";")
    name = name.strip()
    variables = FINDERS.get(name)
    if variables is None:
        raise _refuse(
            "ORA-MR-042", f"The finder {name!r} is not found; this resource has {', '.join(FINDERS)}.", "finder"
        )
    conditions = []
    for assignment in assignments.split(","):
        if not assignment.strip():
            continue
        variable, equals, raw = assignment.partition("=")
        variable = variable.strip()
        if not equals or variable not in variables:
            raise _refuse(
                "ORA-MR-042",
                f"The finder {name} has the variables {', '.join(variables)}, not {assignment.strip()!r}.",
                "finder",
            )
        try:
            value = QUERYABLE[variable](raw.strip().strip("'\""))
        except ValueError as error:
            raise _refuse("ORA-MR-042", f"finder: {variable} cannot be {raw!r}: {error}", "finder") from None
        conditions.append(Condition(variable, "=", value))
    if not conditions:
        raise _refuse("ORA-MR-042", f"The finder {name} needs a value for {' or '.join(variables)}.", "finder")
    return conditions


def refuse_unmodelled(rule_id: str, parameter: str, value: str) -> None:
    """ORA-MR-043/044: the resource has no child to expand and this mock previews no dependency; say so."""
    if parameter == "expand" and value.strip() in ("", "all"):
        return  # nothing to expand: the answer is the same
    reason = "meterReadings has no child resource" if parameter == "expand" else "dependency previews are not served"
    raise _refuse(rule_id, f"{parameter}={value!r} cannot be honoured: {reason}.", parameter)
