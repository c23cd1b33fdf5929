"""Thin handlers: the corporate group from its header, one unit of work in which due jobs advance first,
then the rules; tesma's bodies out.

The collaborators (rules, repository, the job schedule) are handed in, the real modules by default: a test
serves a mock broken for one rule by handing in a replaced part, never by patching a module."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from connexion import request
from connexion.exceptions import ProblemException
from sqlalchemy import Connection

from mockserver.apis.tesma import repository, rules, schedule
from mockserver.apis.tesma.rules import PATCHABLE
from mockserver.runtime import Runtime
from mockserver.timestamps import parse_datetime

GROUP_HEADER = "CorporateGroup-Name"
# Errors answer in problem+json, so connexion needs to be told which media type a success uses.
_JSON = {"Content-Type": "application/json"}


def format_utc(stored: str) -> str:
    """The vendor's shape: UTC with milliseconds and no offset (2024-02-13T14:35:55.257)."""
    return parse_datetime(stored).strftime("%Y-%m-%dT%H:%M:%S.%f")[:23]


def job_body(row: Any, failed: list[Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"id": row.job_id, "createDate": format_utc(row.create_date)}
    if row.start_date:
        body["startDate"] = format_utc(row.start_date)
    if row.end_date:
        body["endDate"] = format_utc(row.end_date)
    body["assetsTotal"] = row.assets_total
    if row.start_date:
        body["assetsSuccessfullyUpdated"] = row.assets_updated
    body["status"] = row.status
    body["errors"] = [{"assetId": item.asset_id, "errors": item.errors} for item in failed]
    return body


def asset_body(row: Any) -> dict[str, Any]:
    """The lease asset as the vendor's LeaseScheduleAssetResponse names it; the mock holds the patchable part."""
    return {
        "customerContext": {"leaseCompany": row.lease_company},
        "assetId": row.asset_id,
        "leaseScheduleId": row.lease_schedule_id,
        **{name: getattr(row, column) for name, column in PATCHABLE.items()},
        "customerSpecificFields": dict(row.customer_specific_fields or {}),
    }


class TesmaHandlers:
    def __init__(
        self,
        runtime: Runtime,
        *,
        rules: ModuleType = rules,
        repository: ModuleType = repository,
        schedule: ModuleType = schedule,
    ) -> None:
        self._runtime = runtime
        self._rules = rules
        self._repository = repository
        self._schedule = schedule

    def run_due_jobs(self, connection: Connection, tenant: str, *, at_once: bool = False) -> int:
        """Advances the tenant's jobs to where the clock says they are (or to their end); returns how many moved."""
        pending, previous_end = self._repository.pending(connection, tenant)
        progress = self._schedule.plan(
            pending, previous_end, self._runtime.clock.now(), self._runtime.job_pace, at_once=at_once
        )
        for step in progress:
            self._repository.advance(connection, tenant, step, self._rules)
        return len(progress)

    def _group(self, connection: Connection, tenant: str) -> str:
        """TESMA-BP-010: the key is valid only together with a corporate group of its own."""
        group = request.headers.get(GROUP_HEADER)
        if not group or self._repository.customer_fields(connection, tenant, group) is None:
            detail = f"The {GROUP_HEADER} header must name the corporate group of the API key"
            raise ProblemException(status=401, title="Unauthorized", detail=detail)
        return group

    async def patch_lease_assets(self, validated_body: list[dict[str, Any]], user: str) -> tuple[Any, ...]:
        with self._runtime.unit_of_work(user) as connection:
            group = self._group(connection, user)
            self._rules.refuse_repeated_assets(validated_body)
            self.run_due_jobs(connection, user)
            created = self._repository.create_job(connection, user, group, validated_body, self._runtime.clock.now())
        location = f"{request.url.path.rstrip('/')}/bulkpatches/{created.job_id}"
        return job_body(created, []), 202, {"Location": location, **_JSON}

    async def get_lease_asset(
        self, leaseCompanyNumber: int, leaseScheduleId: int, assetId: int, user: str
    ) -> tuple[dict[str, Any], int, dict[str, str]]:
        with self._runtime.unit_of_work(user) as connection:
            group = self._group(connection, user)
            self.run_due_jobs(connection, user)
            row = self._repository.lease_asset(connection, user, group, (leaseCompanyNumber, leaseScheduleId), assetId)
        if row is None:
            detail = f"Lease asset {leaseCompanyNumber}/{leaseScheduleId}/{assetId} not found"
            raise ProblemException(status=404, title="Not Found", detail=detail)
        return asset_body(row), 200, _JSON

    async def get_bulk_patch(self, id: int, user: str) -> tuple[dict[str, Any], int, dict[str, str]]:
        with self._runtime.unit_of_work(user) as connection:
            group = self._group(connection, user)
            self.run_due_jobs(connection, user)
            found = self._repository.job(connection, user, group, id)
        if found is None:
            raise ProblemException(status=404, title="Not Found", detail=f"Bulk job {id} not found")
        return job_body(*found), 200, _JSON
