"""tesma bulk patch rules on plain data: what refuses a request up front, and what one asset's patch does.

Each check carries the `x-rules` id of `specs/tesma-lease-assets.yaml` it implements.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from mockserver.errors import RulesBroken, RuleViolation

NOT_ACCESSIBLE = "Either an asset with the id '{asset_id}' does not exist or it is not accessible to you."
PATCHABLE = {
    "serialNumber": "serial_number",
    "location": "location",
    "locationOfInstallation": "location_of_installation",
    "orderNumber": "order_number",
    "costCenter": "cost_center",
}
SUCCESSFUL, PARTIALLY_SUCCESSFUL, FAILED = "successful", "partiallySuccessful", "failed"

_OUTCOMES = {"TESMA-BP-006": (400, "DUPLICATE_ASSET_ID")}


@dataclass(frozen=True)
class Asset:
    asset_id: int
    corporate_group: str
    serial_number: str | None = None
    location: str | None = None
    location_of_installation: str | None = None
    order_number: str | None = None
    cost_center: str | None = None
    customer_specific_fields: dict[str, str] = field(default_factory=dict)


def refuse_repeated_assets(items: list[dict[str, Any]]) -> None:
    """TESMA-BP-006: the same assetId twice refuses the request, naming every repeat."""
    first_at: dict[int, int] = {}
    violations = []
    status, code = _OUTCOMES["TESMA-BP-006"]
    for index, item in enumerate(items):
        asset_id = item["assetId"]
        if asset_id in first_at:
            message = f"Asset {asset_id} appears more than once (first at [{first_at[asset_id]}])"
            violations.append(RuleViolation("TESMA-BP-006", status, code, message, index=index, field="assetId"))
        else:
            first_at[asset_id] = index
    if violations:
        raise RulesBroken(violations)


def patch_asset(asset: Asset | None, group: str, customer_fields: set[str], patch: dict[str, Any]) -> Asset | list[str]:
    """The asset after the patch (TESMA-BP-013), or why it fails alone (TESMA-BP-014..016)."""
    if asset is None or asset.corporate_group != group:
        return [NOT_ACCESSIBLE.format(asset_id=patch["assetId"])]
    given = patch.get("customerSpecificFields") or {}
    unknown = sorted(set(given) - customer_fields)
    if unknown:
        return [f"The customer specific field '{name}' does not exist." for name in unknown]
    changes: dict[str, Any] = {column: patch[name] for name, column in PATCHABLE.items() if name in patch}
    if given:
        merged = {**asset.customer_specific_fields, **given}
        changes["customer_specific_fields"] = {name: value for name, value in merged.items() if value is not None}
    return dataclasses.replace(asset, **changes)


def final_status(total: int, updated: int) -> str:
    """TESMA-BP-012 / -014 / -017: how a finished job ends."""
    if updated == total:
        return SUCCESSFUL
    return FAILED if updated == 0 else PARTIALLY_SUCCESSFUL
