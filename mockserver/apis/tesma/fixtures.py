"""The `tesma` fixture section: corporate groups with their customer-specific fields, and lease assets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from mockserver.apis.tesma.rules import PATCHABLE
from mockserver.apis.tesma.tables import assets, corporate_groups, job_failures, job_patches, jobs
from mockserver.errors import FixtureError
from mockserver.fixture_schema import SectionSchema
from mockserver.timestamps import normalize_datetime, parse_datetime, sortable_datetime

_schema = SectionSchema("tesma", Path(__file__).with_name("fixture-schema.yaml"))


class TesmaFixtures:
    def credentials(self, section: dict[str, Any]) -> list[str]:
        return _schema.credentials(section)

    def load(self, connection: Connection, tenant: str, section: dict[str, Any]) -> None:
        _schema.check(section)
        groups = {g["name"]: g.get("customerSpecificFields", []) for g in section.get("corporateGroups", [])}
        asset_rows = []
        for a in section.get("assets", []):
            if a["corporateGroup"] not in groups:
                raise FixtureError(f"asset {a['assetId']}: no corporate group {a['corporateGroup']!r}")
            unknown = set(a.get("customerSpecificFields", {})) - set(groups[a["corporateGroup"]])
            if unknown:
                raise FixtureError(f"asset {a['assetId']}: {a['corporateGroup']} has no field {sorted(unknown)[0]!r}")
            asset_rows.append({
                "tenant": tenant, "asset_id": a["assetId"], "corporate_group": a["corporateGroup"],
                "customer_specific_fields": a.get("customerSpecificFields", {}),
                "lease_company": a.get("leaseCompany"), "lease_schedule_id": a.get("leaseScheduleId"),
                **{column: a.get(name) for name, column in PATCHABLE.items()},
            })  # fmt: skip
        if groups:
            connection.execute(
                insert(corporate_groups),
                [{"tenant": tenant, "name": name, "customer_fields": fields} for name, fields in groups.items()],
            )
        if asset_rows:
            connection.execute(insert(assets), asset_rows)
        _load_jobs(connection, tenant, section.get("jobs", []))

    def dump(self, connection: Connection, tenant: str) -> dict[str, Any]:
        groups = connection.execute(
            select(corporate_groups).where(corporate_groups.c.tenant == tenant).order_by(corporate_groups.c.name)
        ).all()
        rows = connection.execute(select(assets).where(assets.c.tenant == tenant).order_by(assets.c.asset_id)).all()
        return {
            "corporateGroups": [{"name": g.name, "customerSpecificFields": g.customer_fields} for g in groups],
            "assets": [
                {
                    "assetId": a.asset_id,
                    "corporateGroup": a.corporate_group,
                    **({"leaseCompany": a.lease_company} if a.lease_company is not None else {}),
                    **({"leaseScheduleId": a.lease_schedule_id} if a.lease_schedule_id is not None else {}),
                    **{
                        name: getattr(a, column) for name, column in PATCHABLE.items() if getattr(a, column) is not None
                    },
                    **({"customerSpecificFields": a.customer_specific_fields} if a.customer_specific_fields else {}),
                }
                for a in rows
            ],
            "jobs": _dump_jobs(connection, tenant),
        }


def _stored(text: str | None) -> str | None:
    return sortable_datetime(parse_datetime(text)) if text else None


def _load_jobs(connection: Connection, tenant: str, documented: list[dict[str, Any]]) -> None:
    job_rows, patch_rows, failure_rows = [], [], []
    for j in documented:
        for counted in ("processed", "assetsSuccessfullyUpdated"):
            if j.get(counted, 0) > len(j["items"]):
                raise FixtureError(f"job {j['id']}: {counted} {j[counted]} is more than its {len(j['items'])} items")
        job_rows.append({
            "tenant": tenant, "job_id": j["id"], "corporate_group": j["corporateGroup"],
            "create_date": _stored(j["createDate"]), "start_date": _stored(j.get("startDate")),
            "end_date": _stored(j.get("endDate")), "assets_total": len(j["items"]),
            "processed": j.get("processed", 0), "assets_updated": j.get("assetsSuccessfullyUpdated", 0),
            "status": j["status"],
        })  # fmt: skip
        patch_rows.append({"tenant": tenant, "job_id": j["id"], "patches": [item["patch"] for item in j["items"]]})
        failure_rows += [
            {"tenant": tenant, "job_id": j["id"], "position": position, "asset_id": item["patch"]["assetId"],
             "errors": item["errors"]}
            for position, item in enumerate(j["items"]) if item.get("errors") is not None
        ]  # fmt: skip
    if job_rows:
        connection.execute(insert(jobs), job_rows)
        connection.execute(insert(job_patches), patch_rows)
    if failure_rows:
        connection.execute(insert(job_failures), failure_rows)


def _dump_jobs(connection: Connection, tenant: str) -> list[dict[str, Any]]:
    errors = {
        (row.job_id, row.position): row.errors
        for row in connection.execute(select(job_failures).where(job_failures.c.tenant == tenant))
    }
    items: dict[int, list[dict[str, Any]]] = {}
    for row in connection.execute(select(job_patches).where(job_patches.c.tenant == tenant)):
        items[row.job_id] = []
        for position, patch in enumerate(row.patches):
            failed = errors.get((row.job_id, position))
            items[row.job_id].append({"patch": patch, "errors": failed} if failed else {"patch": patch})
    dumped = []
    for row in connection.execute(select(jobs).where(jobs.c.tenant == tenant).order_by(jobs.c.job_id)):
        job: dict[str, Any] = {"id": row.job_id, "corporateGroup": row.corporate_group,
                               "createDate": normalize_datetime(row.create_date)}  # fmt: skip
        if row.start_date:
            job["startDate"] = normalize_datetime(row.start_date)
        if row.end_date:
            job["endDate"] = normalize_datetime(row.end_date)
        job.update({"processed": row.processed, "assetsSuccessfullyUpdated": row.assets_updated,
                    "status": row.status, "items": items.get(row.job_id, [])})  # fmt: skip
        dumped.append(job)
    return dumped
