"""Deliberately broken EnergyCAP channel-version mocks, one per ECAP-CV / ECAP-CH rule."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from mockserver.apis.energycap import channel_repository, version_edit
from mockserver.apis.energycap.version_edit import UdfDefinition
from mockserver.errors import RulesBroken
from tests.conformance.breakages import Breakage, handed_in, made_afresh, part, spec_change

_PUT = "/v202101/meter/{meterId}/channel/{channelId}/version/{versionId}"


def _version_edit(**replacements: Any) -> Breakage:
    return handed_in("energycap", version_edit=part(version_edit, **replacements))


def _channel_repository(**replacements: Any) -> Breakage:
    return handed_in("energycap", channel_repository=part(channel_repository, **replacements))


def _edit_with(**checks: Any) -> Breakage:
    """The version edit with one of its checks (``begin_problems``, ``scale_problems``, ``udf_values``) replaced."""
    return _version_edit(edit_version=functools.partial(version_edit.edit_version, **checks))


def _edit_changed(change: Any) -> Breakage:
    """An edit whose outcome is altered by ``change(channel, version_id, request, outcome)``."""

    def edit_version(channel: Any, version_id: int, request: Any, units: Any, udfs: Any) -> Any:
        return change(
            channel, version_id, request, version_edit.edit_version(channel, version_id, request, units, udfs)
        )

    return _version_edit(edit_version=edit_version)


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


def _meter_ignored(meter_exists: bool, channel: Any, meter_id: int, channel_id: int, *, editing: bool) -> Any:
    return version_edit.require_channel(
        True, channel, channel.meter_id if channel else meter_id, channel_id, editing=editing
    )


def _channels_meter_ignored(meter_exists: bool, channel: Any, meter_id: int, channel_id: int, *, editing: bool) -> Any:
    return version_edit.require_channel(
        meter_exists, channel, channel.meter_id if channel else meter_id, channel_id, editing=editing
    )


def _any_version_of_any_channel(channel: Any, version_id: int, request: Any, units: Any, udfs: Any) -> Any:
    known = {version.version_id for version in channel.versions}
    chosen = version_id if version_id in known else channel.versions[-1].version_id
    return version_edit.edit_version(channel, chosen, request, units, udfs)


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


class _AnyUdf(dict):
    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(key) or UdfDefinition(key, "Text")


def _udf_values_changed(change: Any) -> Breakage:
    """UDF handling altered by ``change(entries, definitions, (values, problems))``."""
    return _edit_with(
        udf_values=lambda entries, definitions: change(
            entries, definitions, version_edit.udf_values(entries, definitions)
        )
    )


def _empty_list_clears(entries: Any, definitions: Any, outcome: Any) -> Any:
    values, problems = outcome
    return ({udf_id: None for udf_id in definitions} if not entries else values), problems


def _omitted_cleared(entries: Any, definitions: Any, outcome: Any) -> Any:
    values, problems = outcome
    return ({udf_id: None for udf_id in definitions} | values if entries else values), problems


def _null_ignored(entries: Any, definitions: Any, outcome: Any) -> Any:
    values, problems = outcome
    return {udf_id: value for udf_id, value in values.items() if value is not None}, problems


def _values_unchecked(entries: Any, definitions: Any, outcome: Any) -> Any:
    values, problems = outcome
    return values, [problem for problem in problems if problem.rule_id != "ECAP-CV-013"]


def _without(rule_id: str) -> Any:
    """``begin_problems`` that never finds ``rule_id``."""
    return lambda chain, index, begin: [
        p for p in version_edit.begin_problems(chain, index, begin) if p.rule_id != rule_id
    ]


class _HalfWritten:
    """Settings saved and committed before the UDFs are checked: a channel repository and a version edit that
    share what the handler is working on (one pair per mock built)."""

    def __init__(self) -> None:
        self.where: tuple[Any, str] | None = None
        self.channel_repository = part(channel_repository, unit_codes=self.unit_codes)
        self.version_edit = part(version_edit, edit_version=self.edit_version)

    def unit_codes(self, connection: Any, tenant: str) -> Any:
        self.where = (connection, tenant)
        return channel_repository.unit_codes(connection, tenant)

    def edit_version(self, channel: Any, version_id: int, request: Any, units: Any, udfs: Any) -> Any:
        try:
            return version_edit.edit_version(channel, version_id, request, units, udfs)
        except RulesBroken:
            partial = version_edit.edit_version(channel, version_id, {**request, "udfs": None}, units, udfs)
            assert self.where is not None
            connection, tenant = self.where
            channel_repository.save(connection, tenant, channel, partial, version_id)
            connection.commit()
            raise


def _half_written_parts() -> dict[str, Any]:
    shared = _HalfWritten()
    return {"channel_repository": shared.channel_repository, "version_edit": shared.version_edit}


def _without_required(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["ChannelVersionWithBeginDateRequestV202101"]["required"] = ["unitCode"]


def _unbounded(spec: dict[str, Any]) -> None:
    properties = spec["components"]["schemas"]["ChannelVersionWithBeginDateRequestV202101"]["properties"]
    properties["maximumReading"].pop("maximum")


def _put_accepts_text(spec: dict[str, Any]) -> None:
    spec["paths"][_PUT]["put"]["requestBody"]["content"]["text/plain"] = {"schema": {"type": "string"}}


def _put_open(spec: dict[str, Any]) -> None:
    spec["paths"][_PUT]["put"]["security"] = []


def _no_readings_span(connection: Any, tenant: str, found: Any) -> Any:
    return dataclasses.replace(
        channel_repository.record(connection, tenant, found), first_reading=None, last_reading=None
    )


BREAKAGES: dict[str, Breakage] = {
    "ECAP-CV-001": _edit_changed(_unit_kept),
    "ECAP-CV-002": _version_edit(require_channel=_meter_ignored),
    "ECAP-CV-003": _version_edit(require_channel=_channels_meter_ignored),
    "ECAP-CV-004": _version_edit(edit_version=_any_version_of_any_channel),
    "ECAP-CV-005": spec_change("energycap", _without_required),
    "ECAP-CV-006": spec_change("energycap", _unbounded),
    "ECAP-CV-007": _edit_with(begin_problems=_without("ECAP-CV-007")),
    "ECAP-CV-020": _edit_with(scale_problems=lambda request: []),
    "ECAP-CV-008": _channel_repository(unit_codes=lambda connection, tenant: _Everything()),
    "ECAP-CV-009": _udf_values_changed(_empty_list_clears),
    "ECAP-CV-010": _udf_values_changed(_omitted_cleared),
    "ECAP-CV-011": _udf_values_changed(_null_ignored),
    "ECAP-CV-012": _channel_repository(udf_definitions=lambda connection, tenant: _AnyUdf()),
    "ECAP-CV-013": _udf_values_changed(_values_unchecked),
    "ECAP-CV-014": _edit_changed(_previous_end_kept),
    "ECAP-CV-015": _edit_with(begin_problems=_without("ECAP-CV-015")),
    "ECAP-CV-016": _edit_changed(_begin_cleared_when_omitted),
    "ECAP-CV-017": spec_change("energycap", _put_open),
    "ECAP-CV-018": spec_change("energycap", _put_accepts_text),
    "ECAP-CV-019": made_afresh("energycap", _half_written_parts),
    "ECAP-CH-001": _channel_repository(record=_no_readings_span),
    "ECAP-CH-002": _version_edit(require_channel=_channels_meter_ignored),
}
