"""OverIT measures batch rules: plain data in, updated measures out, or every violation raised at once.

Each check carries the `x-rules` id of `specs/overit-measures.yaml` it implements.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import Any, Literal, NamedTuple

from mockserver.errors import RulesBroken, RuleViolation
from mockserver.timestamps import normalize_datetime, parse_datetime

TO_VALIDATE, VALIDATED, REJECTED = "TO_VALIDATE", "VALIDATED", "REJECTED"
MEASURE_STATUSES = (TO_VALIDATE, VALIDATED, REJECTED)
FORWARD, BACKWARD = "FORWARD", "BACKWARD"


@dataclass(frozen=True)
class Characteristic:
    id: int
    kind: Literal["plain", "meter"]
    direction: str | None = None
    max_reading: float | None = None

    @property
    def is_meter(self) -> bool:
        return self.kind == "meter"


@dataclass(frozen=True)
class MeasuringElement:
    id: int
    account_id: int
    characteristic: Characteristic | None
    catalog_group_id: int | None
    catalog_code_ids: frozenset[int] = frozenset()


class Measure(NamedTuple):
    """A measure as the rules see it (a NamedTuple: built and copied thousands of times a second)."""

    id: int
    measuring_element_id: int
    status: str
    measuring_user_id: int | None = None
    measuring_date: str | None = None
    value: float | None = None
    delta_value: float | None = None
    rotations: int | None = None
    catalog_code_id: int | None = None
    note: str | None = None
    unfeasible: bool = False
    external_code: str | None = None


_INT32_MAX = 2**31 - 1


def _violation(rule_id: str, message: str, *, index: int | None = None, field: str | None = None) -> RuleViolation:
    status, code = _OUTCOMES[rule_id]
    return RuleViolation(rule_id, status, code, message, index, field)


_OUTCOMES = {
    "OVERIT-MB-003": (400, "BASE_0001"),
    "OVERIT-MB-005": (404, "NOT_FOUND"),
    "OVERIT-MB-006": (404, "NOT_FOUND"),
    "OVERIT-MB-007": (404, "NOT_FOUND"),
    "OVERIT-MB-008": (400, "ASSETS_ORCHESTRATOR_011"),
    "OVERIT-MB-009": (400, "ASSETS_ORCHESTRATOR_012"),
    "OVERIT-MB-010": (400, "ASSETS_ORCHESTRATOR_013"),
    "OVERIT-MB-011": (400, "ASSETS_ORCHESTRATOR_013"),
    "OVERIT-MB-012": (400, "ASSETS_ORCHESTRATOR_014"),
    "OVERIT-MB-013": (400, "ASSETS_ORCHESTRATOR_016"),
    "OVERIT-MB-014": (400, "ASSETS_ORCHESTRATOR_016"),
    "OVERIT-MB-015": (400, "BASE_0011"),
    "OVERIT-MB-016": (400, "BASE_0011"),
    "OVERIT-MB-017": (400, "BASE_0001"),
    "OVERIT-MB-019": (400, "ASSETS_ORCHESTRATOR_018"),
    "OVERIT-MB-020": (400, "PROPERTY_REQUIRED"),
    "OVERIT-MB-021": (400, "PROPERTY_REQUIRED"),
}


def require_target(
    account_id: int, account_exists: bool, measuring_element_id: int, element: MeasuringElement | None
) -> MeasuringElement:
    """OVERIT-MB-005 and -006: the account exists, and the element exists inside it."""
    if not account_exists:
        raise RulesBroken([_violation("OVERIT-MB-005", f"Account {account_id} not found", field="accountId")])
    if element is None or element.account_id != account_id:
        raise RulesBroken(
            [
                _violation(
                    "OVERIT-MB-006",
                    f"Measuring element {measuring_element_id} not found on account {account_id}",
                    field="measuringElementId",
                )
            ]
        )
    return element


def judged_on_named(element: MeasuringElement, items: list[dict[str, Any]]) -> bool:
    """Whether `update_measures` judges this batch on the measures it names alone, whatever else the element has:
    nothing in it looks back in time (a meter's reading, an unfeasible measure) or at other measures' codes."""
    return _meter(element) is None and _LOOKING_FURTHER.isdisjoint(frozenset().union(*items))


# The item keys whose rules look beyond the item's own measure: at the measure before it, at the element's codes.
_LOOKING_FURTHER = frozenset({"unfeasible", "externalCode"})


def update_measures(
    element: MeasuringElement, existing: Mapping[int, Measure], items: list[dict[str, Any]]
) -> list[Measure]:
    """Apply a batch to the element's measures: all of it, or RulesBroken listing every violation."""
    meter = _meter(element)
    # The common batch: items that only set plain fields of measures to validate, on an element that is not a meter.
    # No rule can refuse it and nothing looks back in time, so each measure is merged with its item in one go;
    # `_update_each` gives the same result item by item (tests compare the two).
    if meter is None and frozenset().union(*items) <= _PLAIN_FIELD_KEYS - _field_rule_keys(element, meter):
        measures = _named_to_validate(existing, items)
        if measures is not None:
            return _merged(measures, items)
    return _update_each(element, existing, items, meter)


# The item keys that set a field of the measure and nothing else (value: where the element has a characteristic).
_PLAIN_FIELD_KEYS = frozenset({"id", "measuringUserId", "measuringDate", "value", "note"})


def _named_to_validate(existing: Mapping[int, Measure], items: list[dict[str, Any]]) -> list[Measure] | None:
    """The measures the items name, in their order, when each is named once and is to validate; else None."""
    ids = list(map(_ID, items))
    if len(set(ids)) != len(ids):
        return None
    measures = list(map(existing.get, ids))
    if None in measures or set(map(_STATUS, measures)) != {TO_VALIDATE}:
        return None
    return measures  # type: ignore[return-value]  # None is not among them


_ID = itemgetter("id")
_STATUS = attrgetter("status")


def _merged(measures: list[Measure], items: list[dict[str, Any]]) -> list[Measure]:
    """Each measure updated by its item as `_apply` updates it, for items of `_PLAIN_FIELD_KEYS` on an element that
    is not a meter: the same values, read in the same order."""
    updated = []
    append, new = updated.append, tuple.__new__  # Measure(...) without its Python frame: 50 times a batch
    for measure, item in zip(measures, items, strict=True):
        id, element_id, status, user, date, value, delta, rotations, code, note, unfeasible, external = measure
        if "measuringDate" in item:
            date = normalize_datetime(item["measuringDate"])
        if "value" in item:
            value, delta = float(item["value"]), None
        user, note = item.get("measuringUserId", user), item.get("note", note)
        merged = (id, element_id, status, user, date, value, delta, rotations, code, note, bool(unfeasible), external)
        append(new(Measure, merged))
    return updated


def _update_each(
    element: MeasuringElement,
    existing: Mapping[int, Measure],
    items: list[dict[str, Any]],
    meter: Characteristic | None,
) -> list[Measure]:
    """`update_measures` item by item, for any batch."""
    violations: list[RuleViolation] = []
    updated: list[Measure] = []
    positions: dict[int, int] = {}
    codes_in_batch: dict[str, int] = {}
    timeline = Timeline(existing)
    field_keys = _field_rule_keys(element, meter)
    for index, item in enumerate(items):
        measure_id = item["id"]
        if measure_id in positions:
            violations.append(
                _violation(
                    "OVERIT-MB-017",
                    f"Measure {measure_id} appears more than once in the batch",
                    index=index,
                    field="id",
                )
            )
            continue
        positions[measure_id] = index
        measure = existing.get(measure_id)
        if measure is None:
            violations.append(
                _violation(
                    "OVERIT-MB-007",
                    f"Measure {measure_id} not found on measuring element {element.id}",
                    index=index,
                    field="id",
                )
            )
            continue
        if measure.status != TO_VALIDATE:
            violations.append(
                _violation(
                    "OVERIT-MB-008",
                    f"Measure {measure_id} is not in status To Validate and cannot be modified",
                    index=index,
                    field="id",
                )
            )
            continue
        # Most items send no key a field rule of this element looks at, and no external code.
        found = [] if field_keys.isdisjoint(item) else _field_violations(element, item, index)
        if item.get("externalCode") is not None:
            found += _external_code_violations(element, existing, items, item, index, codes_in_batch)
        if found:
            violations += found
            continue
        outcome = _apply(meter, timeline, measure, item, index)
        if isinstance(outcome, RuleViolation):
            violations.append(outcome)
        else:
            updated.append(outcome)
    if violations:
        raise RulesBroken(violations)
    return updated


def _field_rule_keys(element: MeasuringElement, meter: Characteristic | None) -> frozenset[str]:
    """The item keys that can break a rule of `_field_violations` on ``element``: an item with none breaks none."""
    keys = {"deltaValue", "catalogCodeId"}  # deltaValue: also refused beside value (MB-012)
    if element.characteristic is None:
        keys.add("value")
    if meter is None:
        keys.add("rotations")
    return frozenset(keys)


def _field_violations(element: MeasuringElement, item: dict[str, Any], index: int) -> list[RuleViolation]:
    if item.get("unfeasible") is True:
        return []  # the values are discarded and taken from the previous measure
    found = []
    characteristic = element.characteristic
    is_meter = characteristic is not None and characteristic.is_meter
    if "value" in item and characteristic is None:
        found.append(
            _violation(
                "OVERIT-MB-009",
                f"value is not allowed: measuring element {element.id} has no characteristic",
                index=index,
                field="value",
            )
        )
    if "deltaValue" in item and not is_meter:
        found.append(
            _violation(
                "OVERIT-MB-010",
                f"deltaValue is allowed only for a meter characteristic (measuring element {element.id})",
                index=index,
                field="deltaValue",
            )
        )
    if "rotations" in item and not is_meter:
        found.append(
            _violation(
                "OVERIT-MB-011",
                f"rotations is allowed only for a meter characteristic (measuring element {element.id})",
                index=index,
                field="rotations",
            )
        )
    if "value" in item and "deltaValue" in item:
        found.append(
            _violation("OVERIT-MB-012", "value and deltaValue cannot be sent together", index=index, field="deltaValue")
        )
    if "catalogCodeId" in item:
        if element.catalog_group_id is None:
            found.append(
                _violation(
                    "OVERIT-MB-013",
                    f"catalogCodeId is not allowed: measuring element {element.id} has no catalog group",
                    index=index,
                    field="catalogCodeId",
                )
            )
        elif item["catalogCodeId"] not in element.catalog_code_ids:
            found.append(
                _violation(
                    "OVERIT-MB-014",
                    f"Catalog code {item['catalogCodeId']} is not in catalog group {element.catalog_group_id}",
                    index=index,
                    field="catalogCodeId",
                )
            )
    return found


def _external_code_violations(
    element: MeasuringElement,
    existing: Mapping[int, Measure],
    items: list[dict[str, Any]],
    item: dict[str, Any],
    index: int,
    codes_in_batch: dict[str, int],
) -> list[RuleViolation]:
    code = item.get("externalCode")
    if code is None:
        return []
    if code in codes_in_batch:
        return [
            _violation(
                "OVERIT-MB-016",
                f"externalCode {code} is used twice in the batch (positions {codes_in_batch[code]} and {index})",
                index=index,
                field="externalCode",
            )
        ]
    codes_in_batch[code] = index
    renamed = {other["id"] for other in items if "externalCode" in other and other.get("externalCode") != code}
    for other in existing.values():
        if other.id != item["id"] and other.external_code == code and other.id not in renamed:
            return [
                _violation(
                    "OVERIT-MB-015",
                    f"externalCode {code} is already used by measure {other.id} on measuring element {element.id}",
                    index=index,
                    field="externalCode",
                )
            ]
    return []


def _apply(
    meter: Characteristic | None, timeline: Timeline, measure: Measure, item: dict[str, Any], index: int
) -> Measure | RuleViolation:
    """``measure`` updated by ``item``, on an element whose characteristic is ``meter`` (None: not a meter)."""
    measuring_date = normalize_datetime(item["measuringDate"]) if "measuringDate" in item else measure.measuring_date
    unfeasible = item.get("unfeasible") is True
    # Only unfeasible measures and meters look back in time.
    previous = timeline.previous(measure.id, measuring_date) if unfeasible or meter is not None else None
    has_value = "value" in item
    # Built positionally: this runs for every measure of every batch.
    result = Measure(
        measure.id,
        measure.measuring_element_id,
        measure.status,
        item.get("measuringUserId", measure.measuring_user_id),
        measuring_date,
        float(item["value"]) if has_value else measure.value,
        None if has_value else measure.delta_value,
        item.get("rotations", measure.rotations),
        item.get("catalogCodeId", measure.catalog_code_id),
        item.get("note", measure.note),
        unfeasible or bool(item.get("unfeasible", measure.unfeasible)),
        item.get("externalCode", measure.external_code),
    )
    if unfeasible:
        if previous is None:
            return _violation(
                "OVERIT-MB-019",
                f"Measure {measure.id} is unfeasible but there is no previous measure to take the values from",
                index=index,
                field="unfeasible",
            )
        return result._replace(
            value=previous.value,
            delta_value=None,
            rotations=0 if previous.value is not None and meter is not None else None,
            catalog_code_id=previous.catalog_code_id,
        )
    if "deltaValue" in item and meter is not None:
        return _with_delta(meter, result, previous, float(item["deltaValue"]), "rotations" in item, index)
    if "value" in item and meter is not None and previous is not None and previous.value is not None:
        return _check_overflow(meter, result, previous, index)
    return result


def _meter(element: MeasuringElement) -> Characteristic | None:
    characteristic = element.characteristic
    return characteristic if characteristic is not None and characteristic.is_meter else None


def _with_delta(
    meter: Characteristic, measure: Measure, previous: Measure | None, delta: float, rotations_given: bool, index: int
) -> Measure | RuleViolation:
    """The value follows from the previous reading and the delta; the counter wraps above max_reading."""
    base = previous.value if previous is not None and previous.value is not None else 0.0
    raw = base - delta if meter.direction == BACKWARD else base + delta
    value, rotations = raw, 0
    if meter.max_reading is not None and math.isfinite(raw):
        span = meter.max_reading + 1
        rotations = abs(math.floor(raw / span))
        value = raw % span
    if not math.isfinite(raw) or rotations > _INT32_MAX:
        # The contract's rotations are int32: a delta that no counter of this meter can reach breaks MB-003.
        return _violation(
            "OVERIT-MB-003",
            f"Measure {measure.id}: deltaValue {delta:g} would take the counter past what rotations (int32) can count",
            index=index,
            field="deltaValue",
        )
    return measure._replace(
        value=value,
        delta_value=delta,
        rotations=measure.rotations if rotations_given else rotations,
    )


def _check_overflow(meter: Characteristic, measure: Measure, previous: Measure, index: int) -> Measure | RuleViolation:
    """OVERIT-MB-020 / -021: a counter that went the wrong way overflowed, which needs rotations."""
    assert measure.value is not None and previous.value is not None
    if meter.direction == BACKWARD:
        overflowed, rule = measure.value > previous.value, "OVERIT-MB-021"
    else:
        overflowed, rule = measure.value < previous.value, "OVERIT-MB-020"
    if overflowed and not measure.rotations:
        return _violation(
            rule,
            f"Measure {measure.id}: value {measure.value:g} after {previous.value:g} on a "
            f"{meter.direction or FORWARD} meter needs rotations",
            index=index,
            field="rotations",
        )
    return measure


class Timeline:
    """The element's measures in time order, parsed once per batch, for "the previous measure" lookups."""

    def __init__(self, existing: Mapping[int, Measure]) -> None:
        self._existing = existing
        self._sorted: list[tuple[datetime, int]] | None = None

    def previous(self, measure_id: int, measuring_date: str | None) -> Measure | None:
        """The latest other measure taken before ``measuring_date``, rejected ones aside."""
        if measuring_date is None:
            return None
        if self._sorted is None:
            self._sorted = sorted(
                (parse_datetime(m.measuring_date), m.id)
                for m in self._existing.values()
                if m.status != REJECTED and m.measuring_date is not None
            )
        position = bisect_left(self._sorted, (parse_datetime(measuring_date), -1))
        for _taken, other_id in reversed(self._sorted[:position]):
            if other_id != measure_id:
                return self._existing[other_id]
        return None


def previous_measure(existing: Mapping[int, Measure], measure_id: int, measuring_date: str | None) -> Measure | None:
    return Timeline(existing).previous(measure_id, measuring_date)
