"""Deliberately broken tesma mocks, one per rule (the mechanism is in breakages.py)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

from mockserver.apis.tesma import handlers, repository, rules, schedule
from tests.conformance.breakages import Breakage, Transform, patched, spec_change

_PATCH = ("/leases/assets", "patch")
_ITEM = "GenericAssetBulkPatchAssetRequest"


def _item(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["schemas"][_ITEM]


def _body(spec: dict[str, Any]) -> dict[str, Any]:
    path, method = _PATCH
    return spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def _starts_at_once(original: Any) -> Any:
    """Jobs created already running (and done): the 202 no longer shows a job not yet started."""

    def create_job(connection: Any, tenant: str, group: str, items: Any, now: Any) -> Any:
        row = original(connection, tenant, group, items, now)._mapping
        return SimpleNamespace(**{**row, "status": "successful", "start_date": row["create_date"],
                                  "end_date": row["create_date"]})  # fmt: skip

    return create_job


def _no_location(original: Any) -> Any:
    async def patch_lease_assets(self: Any, validated_body: Any, user: str) -> Any:
        body, status, headers = await original(self, validated_body, user)
        return body, status, {name: value for name, value in headers.items() if name != "Location"}

    return patch_lease_assets


def _invalid_json_is_empty(monkeypatch: Any) -> Transform:
    from mockserver.apis.tesma import errors

    monkeypatch.setitem(errors._BY_KEYWORD, "json", "INVALID_VALUE")
    return None


def _any_property(spec: dict[str, Any]) -> None:
    _item(spec).pop("additionalProperties")


def _no_limit(spec: dict[str, Any]) -> None:
    _body(spec).pop("maxItems")


def _any_lease_answers(monkeypatch: Any) -> Transform:
    """A read that finds the asset by its id alone, whatever the lease or the corporate group."""
    from sqlalchemy import select

    from mockserver.apis.tesma.tables import assets

    def lease_asset(connection: Any, tenant: str, group: str, lease: Any, asset_id: int) -> Any:
        rows = connection.execute(select(assets).where(assets.c.tenant == tenant)).all()
        return next((row for row in rows if row.asset_id == asset_id), rows[0] if rows else None)

    monkeypatch.setattr(repository, "lease_asset", lease_asset)
    return None


def _empty_allowed(spec: dict[str, Any]) -> None:
    _body(spec).pop("minItems")


def _repeats_allowed(original: Any) -> Any:
    return lambda items: None


def _no_lengths(spec: dict[str, Any]) -> None:
    for name in ("serialNumber", "costCenter"):
        _item(spec)["properties"][name].pop("maxLength")


def _no_script_check(spec: dict[str, Any]) -> None:
    properties = _item(spec)["properties"]
    for name in ("location", "orderNumber", "costCenter"):
        properties[name].pop("not")
    properties["customerSpecificFields"]["additionalProperties"].pop("not")


def _open(spec: dict[str, Any]) -> None:
    spec["security"] = []


def _any_group(original: Any) -> Any:
    def group(self: Any, connection: Any, tenant: str) -> str:
        return handlers.request.headers.get(handlers.GROUP_HEADER) or "ALPHA"

    return group


def _accepts_text(spec: dict[str, Any]) -> None:
    path, method = _PATCH
    spec["paths"][path][method]["requestBody"]["content"]["text/plain"] = {"schema": {"type": "string"}}


def _success_never_reported(original: Any) -> Any:
    return lambda total, updated: rules.PARTIALLY_SUCCESSFUL


def _values_not_applied(original: Any) -> Any:
    def patch_asset(asset: Any, group: str, fields: Any, patch: Any) -> Any:
        outcome = original(asset, group, fields, patch)
        return asset if isinstance(outcome, rules.Asset) else outcome

    return patch_asset


def _missing_asset_created(original: Any) -> Any:
    def patch_asset(asset: Any, group: str, fields: Any, patch: Any) -> Any:
        return original(asset or rules.Asset(patch["assetId"], group), group, fields, patch)

    return patch_asset


def _groups_ignored(original: Any) -> Any:
    def patch_asset(asset: Any, group: str, fields: Any, patch: Any) -> Any:
        return original(asset and dataclasses.replace(asset, corporate_group=group), group, fields, patch)

    return patch_asset


def _any_field(original: Any) -> Any:
    def patch_asset(asset: Any, group: str, fields: Any, patch: Any) -> Any:
        return original(asset, group, set(fields) | set(patch.get("customerSpecificFields") or {}), patch)

    return patch_asset


def _failed_is_partial(original: Any) -> Any:
    return lambda total, updated: rules.PARTIALLY_SUCCESSFUL if updated < total else rules.SUCCESSFUL


def _latest_first(original: Any) -> Any:
    def plan(pending: Any, previous_end: Any, now: Any, pace: Any, *, at_once: bool = False) -> Any:
        # Every job starts on its own delay, ignoring the one before; the latest is handled first.
        steps = [original([job], None, now, pace, at_once=at_once) for job in reversed(pending)]
        return [step for found in steps for step in found]

    return plan


def _jobs_of_every_group(original: Any) -> Any:
    def job(connection: Any, tenant: str, group: str, job_id: int) -> Any:
        for candidate in ("ALPHA", "BETA", group):
            found = original(connection, tenant, candidate, job_id)
            if found is not None:
                return found
        return original(connection, tenant, group, 1)

    return job


BREAKAGES: dict[str, Breakage] = {
    "TESMA-BP-001": patched(repository, "create_job", _starts_at_once),
    "TESMA-BP-002": patched(handlers.TesmaHandlers, "patch_lease_assets", _no_location),
    "TESMA-BP-003": _invalid_json_is_empty,
    "TESMA-BP-004": spec_change("tesma", _any_property),
    "TESMA-BP-005": spec_change("tesma", _no_limit),
    "TESMA-BP-020": spec_change("tesma", _empty_allowed),
    "TESMA-BP-021": patched(handlers, "asset_body", lambda original: lambda row: {**original(row), "location": None}),
    "TESMA-BP-022": _any_lease_answers,
    "TESMA-BP-006": patched(rules, "refuse_repeated_assets", _repeats_allowed),
    "TESMA-BP-007": spec_change("tesma", _no_lengths),
    "TESMA-BP-008": spec_change("tesma", _no_script_check),
    "TESMA-BP-009": spec_change("tesma", _open),
    "TESMA-BP-010": patched(handlers.TesmaHandlers, "_group", _any_group),
    "TESMA-BP-011": spec_change("tesma", _accepts_text),
    "TESMA-BP-012": patched(repository, "final_status", _success_never_reported),
    "TESMA-BP-013": patched(repository, "patch_asset", _values_not_applied),
    "TESMA-BP-014": patched(repository, "patch_asset", _missing_asset_created),
    "TESMA-BP-015": patched(repository, "patch_asset", _groups_ignored),
    "TESMA-BP-016": patched(repository, "patch_asset", _any_field),
    "TESMA-BP-017": patched(repository, "final_status", _failed_is_partial),
    "TESMA-BP-018": patched(schedule, "plan", _latest_first),
    "TESMA-BP-019": patched(repository, "job", _jobs_of_every_group),
}
