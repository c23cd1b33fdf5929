"""Reads and writes tesma state as the plain data `rules.py` and `schedule.py` work on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from types import ModuleType
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from mockserver.apis.tesma import rules
from mockserver.apis.tesma.rules import Asset
from mockserver.apis.tesma.schedule import PendingJob, Progress
from mockserver.apis.tesma.tables import assets, corporate_groups, job_items, jobs
from mockserver.store import locks
from mockserver.timestamps import parse_datetime, sortable_datetime

NOT_STARTED, IN_PROGRESS = "notStarted", "inProgress"
_CHUNK = 500  # ids per IN list: well under every database's bound-parameter limit
_ASSET_COLUMNS = ("serial_number", "location", "location_of_installation", "order_number", "cost_center",
                  "customer_specific_fields")  # fmt: skip


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def customer_fields(connection: Connection, tenant: str, group: str) -> set[str] | None:
    """The group's customer-specific field names, or None when the tenant has no such corporate group."""
    row = connection.execute(
        select(corporate_groups.c.customer_fields).where(
            corporate_groups.c.tenant == tenant, corporate_groups.c.name == group
        )
    ).first()
    return None if row is None else set(row.customer_fields)


def hold_job_queue(connection: Connection, tenant: str) -> None:
    """Jobs are created, and advanced exactly once, by one transaction at a time per tenant."""
    locks.exclusive(connection, ("tesma job queue", tenant))


def create_job(connection: Connection, tenant: str, group: str, items: list[dict[str, Any]], now: datetime) -> Any:
    """The new job's row; its items wait in position order."""
    hold_job_queue(connection, tenant)
    last = connection.scalar(select(func.max(jobs.c.job_id)).where(jobs.c.tenant == tenant))
    job_id = (last or 0) + 1
    connection.execute(
        insert(jobs).values(
            tenant=tenant, job_id=job_id, corporate_group=group, create_date=sortable_datetime(now),
            assets_total=len(items), processed=0, assets_updated=0, status=NOT_STARTED,
        )
    )  # fmt: skip
    if items:
        connection.execute(
            insert(job_items),
            [{"tenant": tenant, "job_id": job_id, "position": position, "asset_id": item["assetId"], "patch": item}
             for position, item in enumerate(items)],
        )  # fmt: skip
    return connection.execute(select(jobs).where(jobs.c.tenant == tenant, jobs.c.job_id == job_id)).one()


def job(connection: Connection, tenant: str, group: str, job_id: int) -> tuple[Any, list[Any]] | None:
    """The job and its failed items, or None when the group has no such job."""
    row = connection.execute(
        select(jobs).where(jobs.c.tenant == tenant, jobs.c.job_id == job_id, jobs.c.corporate_group == group)
    ).first()
    if row is None:
        return None
    failed = connection.execute(
        select(job_items.c.asset_id, job_items.c.errors)
        .where(job_items.c.tenant == tenant, job_items.c.job_id == job_id, job_items.c.errors.is_not(None))
        .order_by(job_items.c.position)
    ).all()
    return row, failed


_PENDING_PAGE = 16
"""Unfinished jobs read at a time: the schedule stops at the first job not finished by now, so however long the
queue, a request usually reads one page (it used to read and parse every unfinished job, on every request)."""


def pending(connection: Connection, tenant: str) -> tuple[Iterator[PendingJob], datetime | None]:
    """Unfinished jobs in creation order, read as they are asked for, and when the last finished one ended; the
    queue held from here on. Iterate before the transaction ends and before the jobs change."""
    hold_job_queue(connection, tenant)
    first = _unfinished(connection, tenant, after=None)
    if not first:
        return iter(()), None
    last_end = connection.scalar(
        select(func.max(jobs.c.end_date)).where(jobs.c.tenant == tenant, jobs.c.job_id < first[0].job_id)
    )
    return _paged(connection, tenant, first), parse_datetime(last_end) if last_end else None


def _unfinished(connection: Connection, tenant: str, *, after: int | None) -> list[Any]:
    query = (
        select(jobs)
        .where(jobs.c.tenant == tenant, jobs.c.status.in_((NOT_STARTED, IN_PROGRESS)))
        .order_by(jobs.c.job_id)
        .limit(_PENDING_PAGE)
    )
    if after is not None:
        query = query.where(jobs.c.job_id > after)
    return list(connection.execute(query).all())


def _paged(connection: Connection, tenant: str, page: list[Any]) -> Iterator[PendingJob]:
    while page:
        for row in page:
            yield PendingJob(row.job_id, parse_datetime(row.create_date),
                             parse_datetime(row.start_date) if row.start_date else None, row.assets_total,
                             row.processed)  # fmt: skip
        if len(page) < _PENDING_PAGE:
            return
        page = _unfinished(connection, tenant, after=page[-1].job_id)


def advance(connection: Connection, tenant: str, progress: Progress, rules: ModuleType = rules) -> None:
    """Handles the job's items that are due, in order, with ``rules`` (the handlers' own), and records where it
    stands."""
    row = connection.execute(select(jobs).where(jobs.c.tenant == tenant, jobs.c.job_id == progress.job_id)).one()
    items = connection.execute(
        select(job_items.c.position, job_items.c.patch)
        .where(
            job_items.c.tenant == tenant,
            job_items.c.job_id == progress.job_id,
            job_items.c.position >= row.processed,
            job_items.c.position < progress.due,
        )
        .order_by(job_items.c.position)
    ).all()
    fields = customer_fields(connection, tenant, row.corporate_group) or set()
    current = _assets(connection, tenant, [item.patch["assetId"] for item in items])
    updated, failures = [], []
    for item in items:
        outcome = rules.patch_asset(current.get(item.patch["assetId"]), row.corporate_group, fields, item.patch)
        if isinstance(outcome, Asset):
            current[outcome.asset_id] = outcome
            updated.append(outcome)
        else:
            failures.append({"key_position": item.position, "errors": outcome})
    _save_assets(connection, tenant, updated)
    if failures:
        connection.execute(
            update(job_items)
            .where(
                job_items.c.tenant == tenant,
                job_items.c.job_id == progress.job_id,
                job_items.c.position == bindparam("key_position"),
            )
            .values(errors=bindparam("errors")),
            failures,
        )
    done = progress.ended is not None and progress.due == row.assets_total
    total_updated = row.assets_updated + len(updated)
    connection.execute(
        update(jobs)
        .where(jobs.c.tenant == tenant, jobs.c.job_id == progress.job_id)
        .values(
            start_date=row.start_date or sortable_datetime(progress.started),
            processed=progress.due,
            assets_updated=total_updated,
            status=rules.final_status(row.assets_total, total_updated) if done else IN_PROGRESS,
            end_date=sortable_datetime(progress.ended) if done and progress.ended else None,
        )
    )


def _assets(connection: Connection, tenant: str, asset_ids: list[int]) -> dict[int, Asset]:
    found: dict[int, Asset] = {}
    for chunk in _chunks(sorted(set(asset_ids))):
        for row in connection.execute(select(assets).where(assets.c.tenant == tenant, assets.c.asset_id.in_(chunk))):
            found[row.asset_id] = Asset(
                row.asset_id, row.corporate_group, row.serial_number, row.location, row.location_of_installation,
                row.order_number, row.cost_center, dict(row.customer_specific_fields or {}),
            )  # fmt: skip
    return found


def _save_assets(connection: Connection, tenant: str, changed: list[Asset]) -> None:
    if not changed:
        return
    connection.execute(
        update(assets)
        .where(assets.c.tenant == tenant, assets.c.asset_id == bindparam("key_asset_id"))
        .values({column: bindparam(column) for column in _ASSET_COLUMNS}),
        [{"key_asset_id": asset.asset_id, **{column: getattr(asset, column) for column in _ASSET_COLUMNS}}
         for asset in changed],
    )  # fmt: skip


def lease_asset(connection: Connection, tenant: str, group: str, lease: tuple[int, int], asset_id: int) -> Any:
    """TESMA-BP-021/022: the group's asset on that lease schedule, or None."""
    return connection.execute(
        select(assets).where(
            assets.c.tenant == tenant,
            assets.c.asset_id == asset_id,
            assets.c.corporate_group == group,
            assets.c.lease_company == lease[0],
            assets.c.lease_schedule_id == lease[1],
        )
    ).first()
