"""Deliberately broken Oracle mocks, one per rule (the mechanism is in breakages.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from mockserver.apis.oracle import access, handlers, query, repository, rules
from mockserver.errors import RulesBroken, RuleViolation
from tests.conformance.breakages import Breakage, Transform, patched, spec_change, stock_connexion_validation


def _meters_seen_as(**template_changes: Any) -> Breakage:
    """A mock that reads every meter template wrongly (e.g. forgets its maximum)."""

    def breakage(monkeypatch: Any) -> Transform:
        original = repository.find_meter

        def find_meter(connection: Any, tenant: str, key: Any) -> Any:
            meter = original(connection, tenant, key)
            if meter is None:
                return None
            changes = {
                name: value(meter.template) if callable(value) else value for name, value in template_changes.items()
            }
            return dataclasses.replace(meter, template=dataclasses.replace(meter.template, **changes))

        monkeypatch.setattr(repository, "find_meter", find_meter)
        return None

    return breakage


def _flipped(template: rules.Template) -> str:
    return rules.ASCENDING if template.direction == rules.DESCENDING else rules.DESCENDING


def _forgets_the_identification_rule(monkeypatch: Any) -> Transform:
    original = rules.meter_key

    def meter_key(request: dict[str, Any]) -> Any:
        try:
            return original(request)
        except RulesBroken:
            return rules.MeterKey(meter_id=request.get("MeterId") or 0)  # whatever it was given

    monkeypatch.setattr(rules, "meter_key", meter_key)
    return None


def _ignores_the_asset(monkeypatch: Any) -> Transform:
    original = repository.find_meter

    def find_meter(connection: Any, tenant: str, key: Any) -> Any:
        return original(connection, tenant, rules.MeterKey(meter_id=key.meter_id) if key.meter_id else key)

    monkeypatch.setattr(repository, "find_meter", find_meter)
    return None


def _clock_far_ahead(monkeypatch: Any) -> Transform:
    original = rules.create_reading

    def create_reading(meter: Any, last: Any, request: Any, now: datetime, new_id: int) -> Any:
        return original(meter, last, request, datetime(9000, 1, 1, tzinfo=UTC), new_id)

    monkeypatch.setattr(rules, "create_reading", create_reading)
    return None


def _forgets_history(monkeypatch: Any) -> Transform:
    monkeypatch.setattr(repository, "last_active_reading", lambda connection, tenant, meter_id: None)
    return None


def _ignores_active_dates(monkeypatch: Any) -> Transform:
    original = repository.find_meter

    def find_meter(connection: Any, tenant: str, key: Any) -> Any:
        meter = original(connection, tenant, key)
        return None if meter is None else dataclasses.replace(meter, active_end=None)

    monkeypatch.setattr(repository, "find_meter", find_meter)
    return None


def _rewrites_the_request(rewrite: Callable[[Any, dict[str, Any]], dict[str, Any]]) -> Breakage:
    def breakage(monkeypatch: Any) -> Transform:
        original = rules.create_reading

        def create_reading(meter: Any, last: Any, request: dict[str, Any], now: datetime, new_id: int) -> Any:
            return original(meter, last, rewrite(last, request), now, new_id)

        monkeypatch.setattr(rules, "create_reading", create_reading)
        return None

    return breakage


def _rewrites_the_result(rewrite: Callable[[Any, dict[str, Any]], Any]) -> Breakage:
    def breakage(monkeypatch: Any) -> Transform:
        original = rules.create_reading

        def create_reading(meter: Any, last: Any, request: dict[str, Any], now: datetime, new_id: int) -> Any:
            return rewrite(original(meter, last, request, now, new_id), request)

        monkeypatch.setattr(rules, "create_reading", create_reading)
        return None

    return breakage


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


def _type_trusted(monkeypatch: Any) -> Transform:
    original = rules.create_reading

    def create_reading(meter: Any, last: Any, request: dict[str, Any], now: datetime, new_id: int) -> Any:
        if request.get("ReadingTypeCode") in (rules.ABSOLUTE, rules.CHANGE):
            template = dataclasses.replace(meter.template, reading_type=request["ReadingTypeCode"])
            meter = dataclasses.replace(meter, template=template)
        return original(meter, last, request, now, new_id)

    monkeypatch.setattr(rules, "create_reading", create_reading)
    return None


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


def _created_answer_filled(monkeypatch: Any) -> Transform:
    monkeypatch.setattr(handlers, "represent_created", handlers.represent)
    return None


def _finder_ignored(monkeypatch: Any) -> Transform:
    monkeypatch.setattr(query, "parse_finder", lambda text: [])
    return None


def _unmodelled_ignored(monkeypatch: Any) -> Transform:
    monkeypatch.setattr(query, "refuse_unmodelled", lambda rule_id, parameter, value: None)
    return None


def _upsert_refused(monkeypatch: Any) -> Transform:
    original = handlers.OracleHandlers.create_meter_reading

    async def create_meter_reading(self: Any, validated_body: dict[str, Any], user: str) -> Any:
        if handlers.request.headers.get("upsert-mode") == "true":
            raise RulesBroken([RuleViolation("ORA-MR-045", 400, "ORA_ADF_INVALID_REQUEST", "no upsert here")])
        return await original(self, validated_body, user)

    monkeypatch.setattr(handlers.OracleHandlers, "create_meter_reading", create_meter_reading)
    return None


def _any_id_answers(monkeypatch: Any) -> Transform:
    original = repository.reading

    def reading(connection: Any, tenant: str, reading_id: int) -> Any:
        found = original(connection, tenant, reading_id)
        return found or original(connection, tenant, repository.next_reading_id(connection, tenant) - 1)

    monkeypatch.setattr(repository, "reading", reading)
    return None


def _fields_ignored(monkeypatch: Any) -> Transform:
    monkeypatch.setattr(handlers, "select_fields", lambda body, fields: (body, []))
    return None


def _accepts_any_media_type(monkeypatch: Any) -> Transform:
    monkeypatch.setattr(handlers, "negotiate", lambda accept, adf_type=None: "application/json")
    return None


def _unknown_fields_dropped(monkeypatch: Any) -> Transform:
    original = handlers.select_fields
    monkeypatch.setattr(handlers, "select_fields", lambda body, fields: (original(body, fields)[0], []))
    return None


def _limit_uncapped(monkeypatch: Any) -> Transform:
    monkeypatch.setattr(handlers, "MAX_LIMIT", 10**9)
    return None


def _q_ignored(monkeypatch: Any) -> Transform:
    monkeypatch.setattr(query, "parse_q", lambda text: [])
    return None


def _swallowing(name: str) -> Breakage:
    """A query parser that drops what it cannot read instead of refusing it."""

    def breakage(monkeypatch: Any) -> Transform:
        original = getattr(query, name)

        def lenient(text: str) -> Any:
            try:
                return original(text)
            except RulesBroken:
                return []

        monkeypatch.setattr(query, name, lenient)
        return None

    return breakage


def _order_ignored(monkeypatch: Any) -> Transform:
    monkeypatch.setattr(query, "parse_order_by", lambda text: [])
    return None


def _total_ignored(monkeypatch: Any) -> Transform:
    original = repository.list_readings

    def list_readings(
        connection: Any, tenant: str, conditions: Any, orders: Any, limit: int, offset: int, total: bool
    ) -> Any:
        return original(connection, tenant, conditions, orders, limit, offset, False)

    monkeypatch.setattr(repository, "list_readings", list_readings)
    return None


def _any_attribute_patched(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["MeterReadingUpdate"].pop("additionalProperties")


def _history_kept(monkeypatch: Any) -> Transform:
    original = rules.disable_reading

    def disable_reading(template: Any, target: Any, previous: Any, later: list, first_new_id: int) -> Any:
        disabled, recreated = original(template, target, previous, later, first_new_id)
        return disabled, [new._replace(net_value=old.net_value) for new, old in zip(recreated, later, strict=True)]

    monkeypatch.setattr(rules, "disable_reading", disable_reading)
    return None


def _flags_forgotten(**flags: bool) -> Breakage:
    def breakage(monkeypatch: Any) -> Transform:
        original = rules.disable_reading

        def disable_reading(template: Any, target: Any, previous: Any, later: list, first_new_id: int) -> Any:
            return original(template, target._replace(**flags), previous, later, first_new_id)

        monkeypatch.setattr(rules, "disable_reading", disable_reading)
        return None

    return breakage


def _if_match_ignored(monkeypatch: Any) -> Transform:
    monkeypatch.setattr(handlers, "require_fresh", lambda if_match, target: None)
    return None


BREAKAGES: dict[str, Breakage] = {
    "ORA-MR-001": _forgets_the_identification_rule,
    "ORA-MR-002": _forgets_the_identification_rule,
    "ORA-MR-003": _ignores_the_asset,
    "ORA-MR-004": _clock_far_ahead,
    "ORA-MR-005": _forgets_history,
    "ORA-MR-006": _ignores_active_dates,
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
    "ORA-MR-016": _type_trusted,
    "ORA-MR-017": spec_change("oracle", _read_only_accepted),
    "ORA-MR-018": _rewrites_the_result(lambda reading, request: reading._replace(net_value=reading.reading_value)),
    "ORA-MR-019": spec_change("oracle", _no_security),
    "ORA-MR-020": spec_change("oracle", _accepts_text),
    "ORA-MR-021": stock_connexion_validation,
    "ORA-MR-022": _any_id_answers,
    "ORA-MR-023": _fields_ignored,
    "ORA-MR-024": _accepts_any_media_type,
    "ORA-MR-025": _unknown_fields_dropped,
    "ORA-MR-026": _limit_uncapped,
    "ORA-MR-027": _q_ignored,
    "ORA-MR-028": _swallowing("parse_q"),
    "ORA-MR-029": _order_ignored,
    "ORA-MR-030": _total_ignored,
    "ORA-MR-031": spec_change("oracle", _any_attribute_patched),
    "ORA-MR-032": _history_kept,
    "ORA-MR-033": _flags_forgotten(reset_flag=False, rollover_flag=False),
    "ORA-MR-034": _if_match_ignored,
    "ORA-MR-035": _any_id_answers,
    "ORA-MR-036": _flags_forgotten(disabled_flag=False),
    "ORA-MR-037": spec_change("oracle", _not_required("ReadingDate")),
    "ORA-MR-038": spec_change("oracle", _not_required("ReadingTypeCode")),
    "ORA-MR-039": spec_change("oracle", _created_disabled),
    "ORA-MR-040": _created_answer_filled,
    "ORA-MR-041": _finder_ignored,
    "ORA-MR-042": _swallowing("parse_finder"),
    "ORA-MR-043": _unmodelled_ignored,
    "ORA-MR-044": _unmodelled_ignored,
    "ORA-MR-045": _upsert_refused,
    "ORA-MR-050": _meters_seen_as(direction=lambda t: rules.ASCENDING if t.direction == rules.BOTH else t.direction),
    "ORA-MR-048": patched(access, "require_manage", lambda original: lambda held: None),
    "ORA-MR-049": patched(access, "require_view", lambda original: lambda held: None),
    "ORA-MR-046": _rewrites_the_request(_reset_value_dropped),
    "ORA-MR-047": patched(rules, "_check_rollover_direction", lambda original: lambda *args: None),
}
