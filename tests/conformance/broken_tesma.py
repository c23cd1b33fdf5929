"""Deliberately broken tesma mocks, one per rule (the mechanism is in breakages.py)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

from connexion import request
from sqlalchemy import select

from mockserver.apis.tesma import repository, rules, schedule
from mockserver.apis.tesma.errors import CODES_BY_KEYWORD, TesmaErrors
from mockserver.apis.tesma.handlers import GROUP_HEADER, TesmaHandlers
from mockserver.apis.tesma.tables import assets
from tests.conformance.breakages import Breakage, errors, handed_in, handlers, part, spec_change

_PATCH = ("/leases/assets", "patch")
_ITEM = "GenericAssetBulkPatchAssetRequest"


def _item(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["schemas"][_ITEM]


def _body(spec: dict[str, Any]) -> dict[str, Any]:
    path, method = _PATCH
    return spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]


def _rules(**replacements: Any) -> Breakage:
    return handed_in("tesma", rules=part(rules, **replacements))


def _repository(**replacements: Any) -> Breakage:
    return handed_in("tesma", repository=part(repository, **replacements))


def _starts_at_once(connection: Any, tenant: str, group: str, items: Any, now: Any) -> Any:
    """Jobs created already running (and done): the 202 no longer shows a job not yet started."""
    row = repository.create_job(connection, tenant, group, items, now)._mapping
    return SimpleNamespace(**{**row, "status": "successful", "start_date": row["create_date"],
                              "end_date": row["create_date"]})  # fmt: skip


class _NoLocation(TesmaHandlers):
    async def patch_lease_assets(self, validated_body: Any, user: str) -> Any:
        body, status, headers = await super().patch_lease_assets(validated_body, user)
        return body, status, {name: value for name, value in headers.items() if name != "Location"}


class _LocationLost(TesmaHandlers):
    async def get_lease_asset(self, *args: Any, **kwargs: Any) -> Any:
        body, status, headers = await super().get_lease_asset(*args, **kwargs)
        return {**body, "location": None}, status, headers


class _AnyGroup(TesmaHandlers):
    def _group(self, connection: Any, tenant: str) -> str:
        return request.headers.get(GROUP_HEADER) or "ALPHA"


def _any_property(spec: dict[str, Any]) -> None:
    _item(spec).pop("additionalProperties")


def _no_limit(spec: dict[str, Any]) -> None:
    _body(spec).pop("maxItems")


def _any_lease_answers(connection: Any, tenant: str, group: str, lease: Any, asset_id: int) -> Any:
    """A read that finds the asset by its id alone, whatever the lease or the corporate group."""
    rows = connection.execute(select(assets).where(assets.c.tenant == tenant)).all()
    return next((row for row in rows if row.asset_id == asset_id), rows[0] if rows else None)


def _empty_allowed(spec: dict[str, Any]) -> None:
    _body(spec).pop("minItems")


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


def _accepts_text(spec: dict[str, Any]) -> None:
    path, method = _PATCH
    spec["paths"][path][method]["requestBody"]["content"]["text/plain"] = {"schema": {"type": "string"}}


def _values_not_applied(asset: Any, group: str, fields: Any, patch: Any) -> Any:
    outcome = rules.patch_asset(asset, group, fields, patch)
    return asset if isinstance(outcome, rules.Asset) else outcome


def _missing_asset_created(asset: Any, group: str, fields: Any, patch: Any) -> Any:
    return rules.patch_asset(asset or rules.Asset(patch["assetId"], group), group, fields, patch)


def _groups_ignored(asset: Any, group: str, fields: Any, patch: Any) -> Any:
    return rules.patch_asset(asset and dataclasses.replace(asset, corporate_group=group), group, fields, patch)


def _any_field(asset: Any, group: str, fields: Any, patch: Any) -> Any:
    return rules.patch_asset(asset, group, set(fields) | set(patch.get("customerSpecificFields") or {}), patch)


def _latest_first(pending: Any, previous_end: Any, now: Any, pace: Any, *, at_once: bool = False) -> Any:
    # Every job starts on its own delay, ignoring the one before; the latest is handled first.
    steps = [schedule.plan([job], None, now, pace, at_once=at_once) for job in reversed(list(pending))]
    return [step for found in steps for step in found]


def _jobs_of_every_group(connection: Any, tenant: str, group: str, job_id: int) -> Any:
    for candidate in ("ALPHA", "BETA", group):
        found = repository.job(connection, tenant, candidate, job_id)
        if found is not None:
            return found
    return repository.job(connection, tenant, group, 1)


BREAKAGES: dict[str, Breakage] = {
    "TESMA-BP-001": _repository(create_job=_starts_at_once),
    "TESMA-BP-002": handlers("tesma", _NoLocation),
    "TESMA-BP-003": errors("tesma", TesmaErrors({**CODES_BY_KEYWORD, "json": "INVALID_VALUE"})),
    "TESMA-BP-004": spec_change("tesma", _any_property),
    "TESMA-BP-005": spec_change("tesma", _no_limit),
    "TESMA-BP-020": spec_change("tesma", _empty_allowed),
    "TESMA-BP-021": handlers("tesma", _LocationLost),
    "TESMA-BP-022": _repository(lease_asset=_any_lease_answers),
    "TESMA-BP-006": _rules(refuse_repeated_assets=lambda items: None),
    "TESMA-BP-007": spec_change("tesma", _no_lengths),
    "TESMA-BP-008": spec_change("tesma", _no_script_check),
    "TESMA-BP-009": spec_change("tesma", _open),
    "TESMA-BP-010": handlers("tesma", _AnyGroup),
    "TESMA-BP-011": spec_change("tesma", _accepts_text),
    "TESMA-BP-012": _rules(final_status=lambda total, updated: rules.PARTIALLY_SUCCESSFUL),
    "TESMA-BP-013": _rules(patch_asset=_values_not_applied),
    "TESMA-BP-014": _rules(patch_asset=_missing_asset_created),
    "TESMA-BP-015": _rules(patch_asset=_groups_ignored),
    "TESMA-BP-016": _rules(patch_asset=_any_field),
    "TESMA-BP-017": _rules(
        final_status=lambda total, updated: rules.PARTIALLY_SUCCESSFUL if updated < total else rules.SUCCESSFUL
    ),
    "TESMA-BP-018": handed_in("tesma", schedule=part(schedule, plan=_latest_first)),
    "TESMA-BP-019": _repository(job=_jobs_of_every_group),
}
