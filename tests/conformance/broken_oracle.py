"""Deliberately broken Oracle mocks, one per rule (the mechanism is in breakages.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from connexion import request

from mockserver.apis.oracle import access, query, repository, representation, rules
from mockserver.apis.oracle.handlers import OracleHandlers
from mockserver.errors import RulesBroken, RuleViolation
from tests.conformance.breakages import (
    Breakage,
    handed_in,
    handlers,
    part,
    spec_change,
    stock_connexion_validation,
)


def _rules(**replacements: Any) -> Breakage:
    return handed_in("oracle", rules=part(rules, **replacements))


def _repository(**replacements: Any) -> Breakage:
    return handed_in("oracle", repository=part(repository, **replacements))


def _query(**replacements: Any) -> Breakage:
    return handed_in("oracle", query=part(query, **replacements))


def _representation(**replacements: Any) -> Breakage:
    return handed_in("oracle", representation=part(representation, **replacements))


def _meters_seen_as(**template_changes: Any) -> Breakage:
    """A mock that reads every meter template wrongly (e.g. forgets its maximum)."""

    def find_meter(connection: Any, tenant: str, key: Any) -> Any:
        meter = repository.find_meter(connection, tenant, key)
        if meter is None:
            return None
        changes = {
            name: value(meter.template) if callable(value) else value for name, value in template_changes.items()
        }
        return dataclasses.replace(meter, template=dataclasses.replace(meter.template, **changes))

    return _repository(find_meter=find_meter)


def _flipped(template: rules.Template) -> str:
    return rules.ASCENDING if template.direction == rules.DESCENDING else rules.DESCENDING


def _lenient_meter_key(request: dict[str, Any]) -> Any:
    try:
        return rules.meter_key(request)
    except RulesBroken:
        return rules.MeterKey(meter_id=request.get("MeterId") or 0)  # whatever it was given


def _asset_ignored(connection: Any, tenant: str, key: Any) -> Any:
    return repository.find_meter(connection, tenant, rules.MeterKey(meter_id=key.meter_id) if key.meter_id else key)


def _clock_far_ahead(meter: Any, last: Any, request: Any, now: datetime, new_id: int) -> Any:
    return rules.create_reading(meter, last, request, datetime(9000, 1, 1, tzinfo=UTC), new_id)


def _active_dates_ignored(connection: Any, tenant: str, key: Any) -> Any:
    meter = repository.find_meter(connection, tenant, key)
    return None if meter is None else dataclasses.replace(meter, active_end=None)


def _rewrites_the_request(rewrite: Callable[[Any, dict[str, Any]], dict[str, Any]]) -> Breakage:
    def create_reading(meter: Any, last: Any, request: dict[str, Any], now: datetime, new_id: int) -> Any:
        return rules.create_reading(meter, last, rewrite(last, request), now, new_id)

    return _rules(create_reading=create_reading)


def _rewrites_the_result(rewrite: Callable[[Any, dict[str, Any]], Any]) -> Breakage:
    def create_reading(meter: Any, last: Any, request: dict[str, Any], now: datetime, new_id: int) -> Any:
        return rewrite(rules.create_reading(meter, last, request, now, new_id), request)

    return _rules(create_reading=create_reading)


def _negative_change_accepted(last: Any, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("ReadingTypeCode") == rules.CHANGE and (request.get("ReadingValue") or 0) < 0:
        return {**request, "ReadingValue": 0}
    return request


def _value_defaulted(last: Any, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("ReadingTypeCode") != rules.RESET and request.get("ReadingValue") is None:
        return {**request, "ReadingValue": (last.reading_value if last else 0) + 1}
    return request


def _reset_value_dropped(last: Any, request: dict[str, Any]) -> dict[str, Any]:
    if request.get("ReadingTypeCode") == rules.RESET:
        return {name: value for name, value in request.items() if name != "ReadingValue"}
    return request


def _type_trusted(meter: Any, last: Any, request: dict[str, Any], now: datetime, new_id: int) -> Any:
    if request.get("ReadingTypeCode") in (rules.ABSOLUTE, rules.CHANGE):
        template = dataclasses.replace(meter.template, reading_type=request["ReadingTypeCode"])
        meter = dataclasses.replace(meter, template=template)
    return rules.create_reading(meter, last, request, now, new_id)


def _rollover_direction_unchecked(meter: Any, last: Any, request: dict[str, Any], now: datetime, new_id: int) -> Any:
    """A rollover on the wrong side of the last reading (or on a meter read both ways) is created as if the meter
    had no earlier reading to compare with."""
    try:
        return rules.create_reading(meter, last, request, now, new_id)
    except RulesBroken as error:
        if any(violation.rule_id != "ORA-MR-047" for violation in error.violations):
            raise
        return rules.create_reading(meter, None, request, now, new_id)


def _no_security(spec: dict[str, Any]) -> None:
    spec["security"] = []


def _accepts_text(spec: dict[str, Any]) -> None:
    spec["paths"]["/meterReadings"]["post"]["requestBody"]["content"]["text/plain"] = {"schema": {"type": "string"}}


def _read_only_accepted(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["MeterReadingCreate"].pop("additionalProperties")


def _not_required(attribute: str) -> Callable[[dict[str, Any]], None]:
    def change(spec: dict[str, Any]) -> None:
        create = spec["components"]["schemas"]["MeterReadingCreate"]
        create["required"] = [name for name in create["required"] if name != attribute]

    return change


def _created_disabled(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["MeterReadingCreate"]["properties"]["DisabledFlag"].pop("enum")


class _UpsertRefused(OracleHandlers):
    async def create_meter_reading(self, validated_body: dict[str, Any], user: str) -> Any:
        if request.headers.get("upsert-mode") == "true":
            raise RulesBroken([RuleViolation("ORA-MR-045", 400, "ORA_ADF_INVALID_REQUEST", "no upsert here")])
        return await super().create_meter_reading(validated_body, user)


def _any_id_answers(connection: Any, tenant: str, reading_id: int) -> Any:
    found = repository.reading(connection, tenant, reading_id)
    return found or repository.reading(connection, tenant, repository.next_reading_id(connection, tenant) - 1)


def _any_id_shown(connection: Any, tenant: str, reading_id: int) -> Any:
    """As `_any_id_answers`, for the read of one reading (which asks for the reading and its meter at once)."""
    found = repository.shown(connection, tenant, reading_id)
    if found is None or found[1] is not None:
        return found
    return repository.shown(connection, tenant, repository.next_reading_id(connection, tenant) - 1)


def _last_reading_forgotten(connection: Any, tenant: str, meter_id: int) -> Any:
    return None, repository.last_active_and_next_id(connection, tenant, meter_id)[1]


def _swallowing(name: str) -> Breakage:
    """A query parser that drops what it cannot read instead of refusing it."""
    strict = getattr(query, name)

    def lenient(text: str) -> Any:
        try:
            return strict(text)
        except RulesBroken:
            return []

    return _query(**{name: lenient})


def _total_ignored(
    connection: Any, tenant: str, conditions: Any, orders: Any, limit: int, offset: int, total: bool
) -> Any:
    return repository.list_readings(connection, tenant, conditions, orders, limit, offset, False)


def _any_attribute_patched(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["MeterReadingUpdate"].pop("additionalProperties")


def _history_kept(template: Any, target: Any, previous: Any, later: list, first_new_id: int) -> Any:
    disabled, recreated = rules.disable_reading(template, target, previous, later, first_new_id)
    return disabled, [new._replace(net_value=old.net_value) for new, old in zip(recreated, later, strict=True)]


def _flags_forgotten(**flags: bool) -> Breakage:
    def disable_reading(template: Any, target: Any, previous: Any, later: list, first_new_id: int) -> Any:
        return rules.disable_reading(template, target._replace(**flags), previous, later, first_new_id)

    return _rules(disable_reading=disable_reading)


class _IfMatchIgnored(OracleHandlers):
    def require_fresh(self, if_match: str | None, target: Any) -> None:
        return None


BREAKAGES: dict[str, Breakage] = {
    "ORA-MR-001": _rules(meter_key=_lenient_meter_key),
    "ORA-MR-002": _rules(meter_key=_lenient_meter_key),
    "ORA-MR-003": _repository(find_meter=_asset_ignored),
    "ORA-MR-004": _rules(create_reading=_clock_far_ahead),
    "ORA-MR-005": _repository(last_active_and_next_id=_last_reading_forgotten),
    "ORA-MR-006": _repository(find_meter=_active_dates_ignored),
    "ORA-MR-007": _meters_seen_as(direction=_flipped),
    "ORA-MR-008": _meters_seen_as(direction=_flipped),
    "ORA-MR-009": _meters_seen_as(rollover_allowed=True),
    "ORA-MR-010": _rewrites_the_request(_negative_change_accepted),
    "ORA-MR-011": _rewrites_the_result(
        lambda reading, request: reading._replace(reading_value=12345.0) if reading.reset_flag else reading
    ),
    "ORA-MR-012": _meters_seen_as(reset_allowed=True),
    "ORA-MR-013": _meters_seen_as(min_value=None, max_value=None),
    "ORA-MR-014": _meters_seen_as(rollover_max_value=None),
    "ORA-MR-015": _rewrites_the_request(_value_defaulted),
    "ORA-MR-016": _rules(create_reading=_type_trusted),
    "ORA-MR-017": spec_change("oracle", _read_only_accepted),
    "ORA-MR-018": _rewrites_the_result(lambda reading, request: reading._replace(net_value=reading.reading_value)),
    "ORA-MR-019": spec_change("oracle", _no_security),
    "ORA-MR-020": spec_change("oracle", _accepts_text),
    "ORA-MR-021": stock_connexion_validation("oracle"),
    "ORA-MR-022": _repository(shown=_any_id_shown),
    "ORA-MR-023": _representation(select_fields=lambda body, fields: (body, [])),
    "ORA-MR-024": _representation(negotiate=lambda accept, adf_type=None: "application/json"),
    "ORA-MR-025": _representation(
        select_fields=lambda body, fields: (representation.select_fields(body, fields)[0], [])
    ),
    "ORA-MR-026": handlers("oracle", lambda runtime: OracleHandlers(runtime, max_limit=10**9)),
    "ORA-MR-027": _query(parse_q=lambda text: []),
    "ORA-MR-028": _swallowing("parse_q"),
    "ORA-MR-029": _query(parse_order_by=lambda text: []),
    "ORA-MR-030": _repository(list_readings=_total_ignored),
    "ORA-MR-031": spec_change("oracle", _any_attribute_patched),
    "ORA-MR-032": _rules(disable_reading=_history_kept),
    "ORA-MR-033": _flags_forgotten(reset_flag=False, rollover_flag=False),
    "ORA-MR-034": handlers("oracle", _IfMatchIgnored),
    "ORA-MR-035": _repository(reading=_any_id_answers),
    "ORA-MR-036": _flags_forgotten(disabled_flag=False),
    "ORA-MR-037": spec_change("oracle", _not_required("ReadingDate")),
    "ORA-MR-038": spec_change("oracle", _not_required("ReadingTypeCode")),
    "ORA-MR-039": spec_change("oracle", _created_disabled),
    "ORA-MR-040": _representation(represent_created=representation.represent),
    "ORA-MR-041": _query(parse_finder=lambda text: []),
    "ORA-MR-042": _swallowing("parse_finder"),
    "ORA-MR-043": _query(refuse_unmodelled=lambda rule_id, parameter, value: None),
    "ORA-MR-044": _query(refuse_unmodelled=lambda rule_id, parameter, value: None),
    "ORA-MR-045": handlers("oracle", _UpsertRefused),
    "ORA-MR-050": _meters_seen_as(direction=lambda t: rules.ASCENDING if t.direction == rules.BOTH else t.direction),
    "ORA-MR-048": handed_in("oracle", access=part(access, require_manage=lambda held: None)),
    "ORA-MR-049": handed_in("oracle", access=part(access, require_view=lambda held: None)),
    "ORA-MR-046": _rewrites_the_request(_reset_value_dropped),
    "ORA-MR-047": _rules(create_reading=_rollover_direction_unchecked),
}
