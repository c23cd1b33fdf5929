"""Deliberately broken EnergyCAP mocks, one per rule (the mechanism is in breakages.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

from mockserver.apis.energycap import read_back, repository, rules
from tests.conformance.breakages import Breakage, Transform, patched, spec_change


def _catalog_changed(**changes: Any) -> Breakage:
    """A mock whose channel lookups are wrong in one way; ``changes`` replace Catalog functions."""

    def breakage(monkeypatch: Any) -> Transform:
        original = repository.catalog

        def catalog(connection: Any, tenant: str) -> rules.Catalog:
            real = original(connection, tenant)
            return dataclasses.replace(real, **{name: make(real) for name, make in changes.items()})

        monkeypatch.setattr(repository, "catalog", catalog)
        return None

    return breakage


def _resolution_without(step: str) -> Breakage:
    """Channel resolution that skips one of the documented narrowing steps."""

    def breakage(monkeypatch: Any) -> Transform:
        original = rules.resolve_channel
        monkeypatch.setattr(
            rules,
            "resolve_channel",
            lambda group, catalog: original({k: v for k, v in group.items() if k != step}, catalog),
        )
        return None

    return breakage


def _first_candidate_wins(monkeypatch: Any) -> Transform:
    original = rules.resolve_channel

    def resolve_channel(group: dict[str, Any], catalog: Any) -> Any:
        found = original(group, catalog)
        if isinstance(found, str) and group.get("meterImportId"):
            candidates = catalog.of_meter(group["meterImportId"]) or []
            return candidates[0] if candidates else found
        return found

    monkeypatch.setattr(rules, "resolve_channel", resolve_channel)
    return None


def _some_channel_when_unnamed(monkeypatch: Any) -> Transform:
    original = rules.resolve_channel

    def resolve_channel(group: dict[str, Any], catalog: Any) -> Any:
        if not any(group.get(key) for key in ("channelId", "channelImportId", "meterImportId")):
            return catalog.of_meter("ONE")[0] if catalog.of_meter("ONE") else original(group, catalog)
        return original(group, catalog)

    monkeypatch.setattr(rules, "resolve_channel", resolve_channel)
    return None


def _reading_check_skipped(fragment: str) -> Breakage:
    """Per-reading validation that forgets the check whose error mentions ``fragment``."""

    def breakage(monkeypatch: Any) -> Transform:
        original = rules._reading_error

        def reading_error(channel: Any, reading: Any, moment: Any, taken: Any) -> str | None:
            error = original(channel, reading, moment, taken)
            if error is not None and fragment in error:
                return None
            return error

        monkeypatch.setattr(rules, "_reading_error", reading_error)
        return None

    return breakage


def _failures_not_listed(monkeypatch: Any) -> Transform:
    original = rules.import_readings

    def import_readings(groups: Any, catalog: Any, taken_times: Any) -> Any:
        outcome = original(groups, catalog, taken_times)
        outcome.failed = []
        return outcome

    monkeypatch.setattr(rules, "import_readings", import_readings)
    return None


def _reading_back_ignores_the_range(monkeypatch: Any) -> Transform:
    original = repository.channel_readings
    monkeypatch.setattr(
        repository, "channel_readings", lambda connection, tenant, channel_id, begin, end: original(
            connection, tenant, channel_id, None, None
        ),
    )  # fmt: skip
    return None


def _unknown_channel_is_empty(monkeypatch: Any) -> Transform:
    original = repository.channel_readings

    def channel_readings(connection: Any, tenant: str, channel_id: int, begin: Any, end: Any) -> Any:
        return original(connection, tenant, channel_id, begin, end) or original(connection, tenant, 11, begin, end)

    monkeypatch.setattr(repository, "channel_readings", channel_readings)
    return None


def _no_security(spec: dict[str, Any]) -> None:
    spec["security"] = []


def _unknown_properties_allowed(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["ReadingCreate"].pop("additionalProperties")


def _accepts_text(spec: dict[str, Any]) -> None:
    spec["paths"]["/v3/reading"]["post"]["requestBody"]["content"]["text/plain"] = {"schema": {"type": "string"}}


BREAKAGES: dict[str, Breakage] = {
    "ECAP-RD-001": _catalog_changed(by_id=lambda real: lambda channel_id: None),
    "ECAP-RD-002": _catalog_changed(by_import_id=lambda real: lambda import_id: None),
    "ECAP-RD-003": _resolution_without("meterImportId"),
    "ECAP-RD-004": _resolution_without("observationTypeCode"),
    "ECAP-RD-005": _resolution_without("unitCode"),
    "ECAP-RD-006": _resolution_without("channelIntervalInSeconds"),
    "ECAP-RD-007": _first_candidate_wins,
    "ECAP-RD-008": _some_channel_when_unnamed,
    "ECAP-RD-009": _reading_check_skipped("no version in force"),
    "ECAP-RD-010": _reading_check_skipped("is outside"),
    "ECAP-RD-011": _reading_check_skipped("already has a reading"),
    "ECAP-RD-012": _failures_not_listed,
    "ECAP-RD-013": spec_change("energycap", _no_security),
    "ECAP-RD-014": spec_change("energycap", _unknown_properties_allowed),
    "ECAP-RD-015": spec_change("energycap", _accepts_text),
    "ECAP-RD-016": _reading_back_ignores_the_range,
    "ECAP-RD-017": _unknown_channel_is_empty,
    "ECAP-RD-018": patched(read_back, "window", lambda original: lambda begin, end, latest: (begin, end)),
}
