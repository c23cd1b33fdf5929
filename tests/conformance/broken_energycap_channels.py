"""Deliberately broken EnergyCAP channel-version mocks, one per ECAP-CV / ECAP-CH rule."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from mockserver.apis.energycap import channel_repository, version_edit
from mockserver.apis.energycap.version_edit import UdfDefinition
from mockserver.errors import RulesBroken
from tests.conformance.breakages import Breakage, Transform, patched, spec_change

_PUT = "/v202101/meter/{meterId}/channel/{channelId}/version/{versionId}"


def _edit_changed(change: Any) -> Breakage:
    """An edit whose outcome is altered by ``change(channel, version_id, request, outcome)``."""
    return patched(
        version_edit, "edit_version",
        lambda original: lambda channel, version_id, request, units, udfs: change(
            channel, version_id, request, original(channel, version_id, request, units, udfs)
        ),
    )  # fmt: skip


def _unit_kept(channel: Any, version_id: int, request: Any, outcome: Any) -> Any:
    old = {version.version_id: version for version in channel.versions}
    kept = tuple(dataclasses.replace(v, unit_code=old[v.version_id].unit_code) for v in outcome.versions)
    return dataclasses.replace(outcome, versions=kept)


def _previous_end_kept(channel: Any, version_id: int, request: Any, outcome: Any) -> Any:
    ends = {version.version_id: version.end for version in channel.versions}
    kept = tuple(dataclasses.replace(v, end=ends[v.version_id]) for v in outcome.versions)
    return dataclasses.replace(outcome, versions=kept)


def _begin_cleared_when_omitted(channel: Any, version_id: int, request: Any, outcome: Any) -> Any:
    if request.get("beginDate") is not None:
        return outcome
    cleared = tuple(dataclasses.replace(v, begin=None) if v.version_id == version_id else v for v in outcome.versions)
    return dataclasses.replace(outcome, versions=cleared)


def _meter_ignored(original: Any) -> Any:
    def require_channel(meter_exists: bool, channel: Any, meter_id: int, channel_id: int, *, editing: bool) -> Any:
        return original(True, channel, channel.meter_id if channel else meter_id, channel_id, editing=editing)

    return require_channel


def _channels_meter_ignored(original: Any) -> Any:
    def require_channel(meter_exists: bool, channel: Any, meter_id: int, channel_id: int, *, editing: bool) -> Any:
        return original(meter_exists, channel, channel.meter_id if channel else meter_id, channel_id, editing=editing)

    return require_channel


def _any_version_of_any_channel(original: Any) -> Any:
    def edit_version(channel: Any, version_id: int, request: Any, units: Any, udfs: Any) -> Any:
        known = {version.version_id for version in channel.versions}
        return original(channel, version_id if version_id in known else channel.versions[-1].version_id, request,
                        units, udfs)  # fmt: skip

    return edit_version


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


class _AnyUdf(dict):
    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(key) or UdfDefinition(key, "Text")


def _udf_values_changed(change: Any) -> Breakage:
    """UDF handling altered by ``change(entries, definitions, (values, problems))``."""
    return patched(
        version_edit, "_udf_values",
        lambda original: lambda entries, definitions: change(entries, definitions, original(entries, definitions)),
    )  # fmt: skip


def _empty_list_clears(entries: Any, definitions: Any, outcome: Any) -> Any:
    values, problems = outcome
    return ({udf_id: None for udf_id in definitions} if not entries else values), problems


def _omitted_cleared(entries: Any, definitions: Any, outcome: Any) -> Any:
    values, problems = outcome
    return ({udf_id: None for udf_id in definitions} | values if entries else values), problems


def _null_ignored(entries: Any, definitions: Any, outcome: Any) -> Any:
    values, problems = outcome
    return {udf_id: value for udf_id, value in values.items() if value is not None}, problems


def _refused_edit_half_written(monkeypatch: Any) -> Transform:
    """Settings saved and committed before the UDFs are checked."""
    seen: dict[str, Any] = {}
    original_units, original_edit = channel_repository.unit_codes, version_edit.edit_version

    def unit_codes(connection: Any, tenant: str) -> Any:
        seen["where"] = (connection, tenant)
        return original_units(connection, tenant)

    def edit_version(channel: Any, version_id: int, request: Any, units: Any, udfs: Any) -> Any:
        try:
            return original_edit(channel, version_id, request, units, udfs)
        except RulesBroken:
            partial = original_edit(channel, version_id, {**request, "udfs": None}, units, udfs)
            connection, tenant = seen["where"]
            channel_repository.save(connection, tenant, channel, partial, version_id)
            connection.commit()
            raise

    monkeypatch.setattr(channel_repository, "unit_codes", unit_codes)
    monkeypatch.setattr(version_edit, "edit_version", edit_version)
    return None


def _without_required(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["ChannelVersionWithBeginDateRequestV202101"]["required"] = ["unitCode"]


def _unbounded(spec: dict[str, Any]) -> None:
    properties = spec["components"]["schemas"]["ChannelVersionWithBeginDateRequestV202101"]["properties"]
    properties["maximumReading"].pop("maximum")


def _put_accepts_text(spec: dict[str, Any]) -> None:
    spec["paths"][_PUT]["put"]["requestBody"]["content"]["text/plain"] = {"schema": {"type": "string"}}


def _put_open(spec: dict[str, Any]) -> None:
    spec["paths"][_PUT]["put"]["security"] = []


def _order_unchecked(original: Any) -> Any:
    return lambda chain, index, begin: [p for p in original(chain, index, begin) if p.rule_id != "ECAP-CV-015"]


def _no_readings_span(original: Any) -> Any:
    def record(connection: Any, tenant: str, found: Any) -> Any:
        return dataclasses.replace(original(connection, tenant, found), first_reading=None, last_reading=None)

    return record


BREAKAGES: dict[str, Breakage] = {
    "ECAP-CV-001": _edit_changed(_unit_kept),
    "ECAP-CV-002": patched(version_edit, "require_channel", _meter_ignored),
    "ECAP-CV-003": patched(version_edit, "require_channel", _channels_meter_ignored),
    "ECAP-CV-004": patched(version_edit, "edit_version", _any_version_of_any_channel),
    "ECAP-CV-005": spec_change("energycap", _without_required),
    "ECAP-CV-006": spec_change("energycap", _unbounded),
    "ECAP-CV-007": patched(version_edit, "EARLIEST", lambda original: datetime.min.replace(tzinfo=UTC)),
    "ECAP-CV-020": patched(version_edit, "MAX_SCALE", lambda original: 10**6),
    "ECAP-CV-008": patched(channel_repository, "unit_codes", lambda original: lambda c, t: _Everything()),
    "ECAP-CV-009": _udf_values_changed(_empty_list_clears),
    "ECAP-CV-010": _udf_values_changed(_omitted_cleared),
    "ECAP-CV-011": _udf_values_changed(_null_ignored),
    "ECAP-CV-012": patched(channel_repository, "udf_definitions", lambda original: lambda c, t: _AnyUdf()),
    "ECAP-CV-013": patched(version_edit, "_value_problem", lambda original: lambda definition, value: None),
    "ECAP-CV-014": _edit_changed(_previous_end_kept),
    "ECAP-CV-015": patched(version_edit, "_begin_problems", _order_unchecked),
    "ECAP-CV-016": _edit_changed(_begin_cleared_when_omitted),
    "ECAP-CV-017": spec_change("energycap", _put_open),
    "ECAP-CV-018": spec_change("energycap", _put_accepts_text),
    "ECAP-CV-019": _refused_edit_half_written,
    "ECAP-CH-001": patched(channel_repository, "record", _no_readings_span),
    "ECAP-CH-002": patched(version_edit, "require_channel", _channels_meter_ignored),
}
