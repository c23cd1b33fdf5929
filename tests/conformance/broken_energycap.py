"""Deliberately broken EnergyCAP mocks, one per rule (the mechanism is in breakages.py)."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from mockserver.apis.energycap import read_back, repository, rules
from tests.conformance.breakages import Breakage, handed_in, part, spec_change


def _import_with(**steps: Any) -> Breakage:
    """The readings import with one of its steps (``resolve`` or ``reading_error``) replaced."""
    return handed_in("energycap", rules=part(rules, import_readings=functools.partial(rules.import_readings, **steps)))


def _catalog_changed(**changes: Any) -> Breakage:
    """A mock whose channel lookups are wrong in one way; ``changes`` replace Catalog functions."""

    def catalog(connection: Any, tenant: str) -> rules.Catalog:
        real = repository.catalog(connection, tenant)
        return dataclasses.replace(real, **{name: make(real) for name, make in changes.items()})

    return handed_in("energycap", repository=part(repository, catalog=catalog))


def _resolution_without(step: str) -> Breakage:
    """Channel resolution that skips one of the documented narrowing steps."""
    return _import_with(
        resolve=lambda group, catalog: rules.resolve_channel({k: v for k, v in group.items() if k != step}, catalog)
    )


def _first_candidate_wins(group: dict[str, Any], catalog: Any) -> Any:
    found = rules.resolve_channel(group, catalog)
    if isinstance(found, str) and group.get("meterImportId"):
        candidates = catalog.of_meter(group["meterImportId"]) or []
        return candidates[0] if candidates else found
    return found


def _some_channel_when_unnamed(group: dict[str, Any], catalog: Any) -> Any:
    if not any(group.get(key) for key in ("channelId", "channelImportId", "meterImportId")):
        return catalog.of_meter("ONE")[0] if catalog.of_meter("ONE") else rules.resolve_channel(group, catalog)
    return rules.resolve_channel(group, catalog)


def _reading_check_skipped(fragment: str) -> Breakage:
    """Per-reading validation that forgets the check whose error mentions ``fragment``."""

    def reading_error(channel: Any, reading: Any, moment: Any, taken: Any) -> str | None:
        error = rules.reading_error(channel, reading, moment, taken)
        if error is not None and fragment in error:
            return None
        return error

    return _import_with(reading_error=reading_error)


def _failures_not_listed(groups: Any, catalog: Any, taken_times: Any) -> Any:
    outcome = rules.import_readings(groups, catalog, taken_times)
    outcome.failed = []
    return outcome


def _range_ignored(connection: Any, tenant: str, channel_id: int, begin: Any, end: Any, **options: Any) -> Any:
    return repository.channel_readings(connection, tenant, channel_id, None, None, **options)


def _unknown_channel_is_empty(
    connection: Any, tenant: str, channel_id: int, begin: Any, end: Any, **options: Any
) -> Any:
    return repository.channel_readings(connection, tenant, channel_id, begin, end, **options) or (
        repository.channel_readings(connection, tenant, 11, begin, end, **options)
    )


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
    "ECAP-RD-007": _import_with(resolve=_first_candidate_wins),
    "ECAP-RD-008": _import_with(resolve=_some_channel_when_unnamed),
    "ECAP-RD-009": _reading_check_skipped("no version in force"),
    "ECAP-RD-010": _reading_check_skipped("is outside"),
    "ECAP-RD-011": _reading_check_skipped("already has a reading"),
    "ECAP-RD-012": handed_in("energycap", rules=part(rules, import_readings=_failures_not_listed)),
    "ECAP-RD-013": spec_change("energycap", _no_security),
    "ECAP-RD-014": spec_change("energycap", _unknown_properties_allowed),
    "ECAP-RD-015": spec_change("energycap", _accepts_text),
    "ECAP-RD-016": handed_in("energycap", repository=part(repository, channel_readings=_range_ignored)),
    "ECAP-RD-017": handed_in("energycap", repository=part(repository, channel_readings=_unknown_channel_is_empty)),
    "ECAP-RD-018": handed_in("energycap", read_back=part(read_back, window=lambda begin, end, latest: (begin, end))),
}
