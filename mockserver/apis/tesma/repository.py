"""Reads and writes tesma state as the plain data `rules.py` and `schedule.py` work on.

Every request creates a job and advances the queue, so its statements are prepared once (`Prepared`) and run on
the raw cursor: Core compiled and bound them on each call at several times what SQLite spends running them. JSON
columns come back from the driver as text on SQLite and parsed on PostgreSQL (`_document`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from types import ModuleType
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection, Select, bindparam, func, insert, select, text, update

from mockserver.apis.tesma import rules
from mockserver.apis.tesma.rules import Asset
from mockserver.apis.tesma.schedule import PendingJob, Progress
from mockserver.apis.tesma.tables import (
    END_DATE_INDEX,
    IN_PROGRESS,
    NOT_STARTED,
    UNFINISHED,
    UNFINISHED_INDEX,
    UNFINISHED_SQL,
    assets,
    corporate_groups,
    job_failures,
    job_patches,
    jobs,
)
from mockserver.store import locks
from mockserver.store.prepared import Prepared
from mockserver.timestamps import parse_datetime, sortable_datetime

_ASSET_COLUMNS = ("serial_number", "location", "location_of_installation", "order_number", "cost_center",
                  "customer_specific_fields")  # fmt: skip
# Asset lookups pad their id list to one of these lengths (repeating an id), so a few statements serve every
# count; the longest is well under every database's bound-parameter limit.
_IN_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 500)


class JobRow(NamedTuple):
    """A `tesma_jobs` row as read on the raw cursor, its columns named as a SQLAlchemy row names them."""

    tenant: str
    job_id: int
    corporate_group: str
    create_date: str
    start_date: str | None
    end_date: str | None
    assets_total: int
    processed: int
    assets_updated: int
    status: str

    @property
    def _mapping(self) -> dict[str, Any]:
        return self._asdict()


assert JobRow._fields == tuple(jobs.c.keys()), "JobRow must follow the columns of tesma_jobs"


class FailedItem(NamedTuple):
    asset_id: int
    errors: list[str]


def _document(stored: Any) -> Any:
    """A JSON column's value: SQLite hands back the text (parsed as SQLAlchemy's JSON type parses it), psycopg the
    parsed value."""
    return json.loads(stored) if isinstance(stored, str | bytes) else stored


def _tenant_is(table: Any) -> Any:
    return table.c.tenant == bindparam("tenant")


_customer_fields = Prepared(
    select(corporate_groups.c.customer_fields).where(
        _tenant_is(corporate_groups), corporate_groups.c.name == bindparam("group")
    )
)
_last_job_id = Prepared(select(func.max(jobs.c.job_id)).where(_tenant_is(jobs)))
_insert_job = Prepared(insert(jobs))
_insert_patches = Prepared(insert(job_patches))
_PATCHES_NAMES = ("tenant", "job_id", "patches")
_patches_of = Prepared(
    select(job_patches.c.patches).where(_tenant_is(job_patches), job_patches.c.job_id == bindparam("job_id"))
)
_job = Prepared(select(jobs).where(_tenant_is(jobs), jobs.c.job_id == bindparam("job_id")))
_job_of_group = Prepared(
    select(jobs).where(
        _tenant_is(jobs), jobs.c.job_id == bindparam("job_id"), jobs.c.corporate_group == bindparam("group")
    )
)
_failed_items = Prepared(
    select(job_failures.c.asset_id, job_failures.c.errors)
    .where(_tenant_is(job_failures), job_failures.c.job_id == bindparam("job_id"))
    .order_by(job_failures.c.position)
)


class _Indexed:
    """A read that must go through one index. Every request reads the queue, and through the primary key it walks
    every job the tenant ever finished; SQLite's planner takes that walk whenever its statistics are older than
    the jobs (they are refreshed on fixture loads, and jobs pile up between them), so there the statement names
    its index. PostgreSQL's planner keeps its own statistics."""

    def __init__(self, portable: Select[Any], on_sqlite: str) -> None:
        self._portable = Prepared(portable)
        self._on_sqlite = Prepared(text(on_sqlite))

    def all(self, connection: Connection, parameters: dict[str, Any]) -> list[tuple[Any, ...]]:
        statement = self._on_sqlite if connection.dialect.name == "sqlite" else self._portable
        return statement.all(connection, parameters)


_BEFORE_EVERY_JOB = 0  # job ids start at 1
_unfinished = _Indexed(
    select(jobs)
    .where(_tenant_is(jobs), UNFINISHED, jobs.c.job_id > bindparam("after"))
    .order_by(jobs.c.job_id)
    .limit(bindparam("page")),
    f"SELECT {', '.join(jobs.c.keys())} FROM {jobs.name} INDEXED BY {UNFINISHED_INDEX} "
    f"WHERE tenant = :tenant AND {UNFINISHED_SQL} AND job_id > :after ORDER BY job_id LIMIT :page",
)
# The latest end first; the first one before the unfinished job is the answer.
_last_end_before = _Indexed(
    select(jobs.c.end_date)
    .where(_tenant_is(jobs), jobs.c.end_date.is_not(None), jobs.c.job_id < bindparam("first"))
    .order_by(jobs.c.end_date.desc())
    .limit(1),
    f"SELECT end_date FROM {jobs.name} INDEXED BY {END_DATE_INDEX} "
    "WHERE tenant = :tenant AND end_date IS NOT NULL AND job_id < :first ORDER BY end_date DESC LIMIT 1",
)
_insert_failure = Prepared(insert(job_failures))
_FAILURE_NAMES = ("tenant", "job_id", "position", "asset_id", "errors")
_update_job = Prepared(
    update(jobs)
    .where(jobs.c.tenant == bindparam("b_tenant"), jobs.c.job_id == bindparam("b_job_id"))
    .values({column: bindparam(column) for column in ("start_date", "processed", "assets_updated", "status",
                                                       "end_date")})
)  # fmt: skip
_JOB_PROGRESS_NAMES = ("start_date", "processed", "assets_updated", "status", "end_date", "b_tenant", "b_job_id")
_ASSET_FIELDS = (assets.c.asset_id, assets.c.corporate_group, *(assets.c[column] for column in _ASSET_COLUMNS))
_assets_by_size = {
    size: Prepared(
        select(*_ASSET_FIELDS).where(
            _tenant_is(assets), assets.c.asset_id.in_([bindparam(f"id{n}") for n in range(size)])
        )
    )
    for size in _IN_SIZES
}
_save_asset = Prepared(
    update(assets)
    .where(assets.c.tenant == bindparam("b_tenant"), assets.c.asset_id == bindparam("b_asset_id"))
    .values({column: bindparam(column) for column in _ASSET_COLUMNS})
)
_SAVE_NAMES = (*_ASSET_COLUMNS, "b_tenant", "b_asset_id")


def _run(statement: Prepared, connection: Connection, names: tuple[str, ...], row: tuple[Any, ...]) -> None:
    statement.run_many(connection, names, [row])


def customer_fields(connection: Connection, tenant: str, group: str) -> set[str] | None:
    """The group's customer-specific field names, or None when the tenant has no such corporate group."""
    row = _customer_fields.first(connection, {"tenant": tenant, "group": group})
    return None if row is None else set(_document(row[0]))


def hold_job_queue(connection: Connection, tenant: str) -> None:
    """Jobs are created, and advanced exactly once, by one transaction at a time per tenant."""
    locks.exclusive(connection, ("tesma job queue", tenant))


def create_job(connection: Connection, tenant: str, group: str, items: list[dict[str, Any]], now: datetime) -> JobRow:
    """The new job's row; its items wait in position order."""
    hold_job_queue(connection, tenant)
    last = _last_job_id.first(connection, {"tenant": tenant})
    created = JobRow(tenant, ((last and last[0]) or 0) + 1, group, sortable_datetime(now), None, None, len(items), 0,
                     0, NOT_STARTED)  # fmt: skip
    _run(_insert_job, connection, JobRow._fields, created)
    # The body was parsed by orjson, so orjson can write every value of it back.
    _run(_insert_patches, connection, _PATCHES_NAMES, (tenant, created.job_id, orjson.dumps(items).decode()))
    return created


def job(connection: Connection, tenant: str, group: str, job_id: int) -> tuple[JobRow, list[FailedItem]] | None:
    """The job and its failed items, or None when the group has no such job."""
    row = _job_of_group.first(connection, {"tenant": tenant, "job_id": job_id, "group": group})
    if row is None:
        return None
    failed = _failed_items.all(connection, {"tenant": tenant, "job_id": job_id})
    return JobRow(*row), [FailedItem(asset_id, _document(errors)) for asset_id, errors in failed]


_PENDING_PAGE = 16
"""Unfinished jobs read at a time: the schedule stops at the first job not finished by now, so however long the
queue, a request usually reads one page (it used to read and parse every unfinished job, on every request)."""
_FIRST_PAGE = 2
"""The first page is shorter: a request mostly needs the running job alone, and the next one when it ends."""


def pending(connection: Connection, tenant: str) -> tuple[Iterator[PendingJob], datetime | None]:
    """Unfinished jobs in creation order, read as they are asked for, and when the last finished one ended; the
    queue held from here on. Iterate before the transaction ends and before the jobs change."""
    hold_job_queue(connection, tenant)
    first = _unfinished_jobs(connection, tenant, after=None)
    if not first:
        return iter(()), None
    [last_end] = (_last_end_before.all(connection, {"tenant": tenant, "first": first[0].job_id}) or [(None,)])[0]
    return _paged(connection, tenant, first, _FIRST_PAGE), parse_datetime(last_end) if last_end else None


def _unfinished_jobs(connection: Connection, tenant: str, *, after: int | None) -> list[JobRow]:
    first = after is None
    parameters = {"tenant": tenant, "after": _BEFORE_EVERY_JOB if first else after,
                  "page": _FIRST_PAGE if first else _PENDING_PAGE}  # fmt: skip
    return [JobRow(*row) for row in _unfinished.all(connection, parameters)]


def _paged(connection: Connection, tenant: str, page: list[JobRow], asked: int) -> Iterator[PendingJob]:
    while page:
        for row in page:
            yield PendingJob(row.job_id, parse_datetime(row.create_date),
                             parse_datetime(row.start_date) if row.start_date else None, row.assets_total,
                             row.processed)  # fmt: skip
        if len(page) < asked:
            return
        page, asked = _unfinished_jobs(connection, tenant, after=page[-1].job_id), _PENDING_PAGE


def advance(connection: Connection, tenant: str, progress: Progress, rules: ModuleType = rules) -> None:
    """Handles the job's items that are due, in order, with ``rules`` (the handlers' own), and records where it
    stands."""
    found = _job.first(connection, {"tenant": tenant, "job_id": progress.job_id})
    if found is None:
        raise LookupError(f"tesma job {progress.job_id} of {tenant!r} vanished while it was advanced")
    row = JobRow(*found)
    updated: list[Asset] = []
    if progress.due > row.processed:
        fields = customer_fields(connection, tenant, row.corporate_group) or set()
        [stored] = _patches_of.all(connection, {"tenant": tenant, "job_id": progress.job_id})
        due = list(enumerate(_document(stored[0])[row.processed : progress.due], start=row.processed))
        current = _assets(connection, tenant, [patch["assetId"] for _position, patch in due])
        failures = []
        for position, patch in due:
            outcome = rules.patch_asset(current.get(patch["assetId"]), row.corporate_group, fields, patch)
            if isinstance(outcome, Asset):
                current[outcome.asset_id] = outcome
                updated.append(outcome)
            else:
                failures.append((tenant, progress.job_id, position, patch["assetId"], json.dumps(outcome)))
        _save_assets(connection, tenant, updated)
        if failures:
            _insert_failure.run_many(connection, _FAILURE_NAMES, failures)
    done = progress.ended is not None and progress.due == row.assets_total
    total_updated = row.assets_updated + len(updated)
    stands = (
        row.start_date or sortable_datetime(progress.started),
        progress.due,
        total_updated,
        rules.final_status(row.assets_total, total_updated) if done else IN_PROGRESS,
        sortable_datetime(progress.ended) if done and progress.ended else None,
    )
    # Most requests find the running job where the last one left it: nothing to write.
    if stands != (row.start_date, row.processed, row.assets_updated, row.status, row.end_date):
        _run(_update_job, connection, _JOB_PROGRESS_NAMES, (*stands, tenant, progress.job_id))


def _assets(connection: Connection, tenant: str, asset_ids: list[int]) -> dict[int, Asset]:
    found: dict[int, Asset] = {}
    wanted = sorted(set(asset_ids))
    longest = _IN_SIZES[-1]
    for start in range(0, len(wanted), longest):
        chunk = wanted[start : start + longest]
        size = next(size for size in _IN_SIZES if size >= len(chunk))
        padded = chunk + chunk[-1:] * (size - len(chunk))
        parameters = {"tenant": tenant, **{f"id{n}": asset_id for n, asset_id in enumerate(padded)}}
        for row in _assets_by_size[size].all(connection, parameters):
            found[row[0]] = Asset(*row[:-1], dict(_document(row[-1]) or {}))
    return found


def _save_assets(connection: Connection, tenant: str, changed: list[Asset]) -> None:
    if changed:
        _save_asset.run_many(
            connection,
            _SAVE_NAMES,
            [(asset.serial_number, asset.location, asset.location_of_installation, asset.order_number,
              asset.cost_center, json.dumps(asset.customer_specific_fields), tenant, asset.asset_id)
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
