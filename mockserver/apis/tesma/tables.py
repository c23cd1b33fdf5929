"""tesma state: corporate groups with their customer-specific fields, lease assets, and bulk patch jobs with
their asset patches and failures; a job records how many items it has handled, so it resumes exactly where it
stopped."""

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Table, literal_column

from mockserver.store import CLUSTERED, metadata

corporate_groups = Table(
    "tesma_corporate_groups",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("name", String(256), primary_key=True),
    Column("customer_fields", JSON, nullable=False, default=list),  # the exact UI names
    **CLUSTERED,
)

assets = Table(
    "tesma_assets",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("asset_id", BigInteger, primary_key=True, autoincrement=False),
    Column("corporate_group", String(256), nullable=False),
    Column("serial_number", String(30)),
    Column("location", String(256)),
    Column("location_of_installation", String(256)),
    Column("order_number", String(256)),
    Column("cost_center", String(256)),
    Column("customer_specific_fields", JSON, nullable=False, default=dict),
    Column("lease_company", Integer),  # the lease an asset is read by (TESMA-BP-021)
    Column("lease_schedule_id", Integer),
    **CLUSTERED,
)

UNFINISHED_INDEX, END_DATE_INDEX = "ix_tesma_jobs_unfinished", "ix_tesma_jobs_end_date"

jobs = Table(
    "tesma_jobs",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("job_id", BigInteger, primary_key=True, autoincrement=False),
    Column("corporate_group", String(256), nullable=False),
    Column("create_date", String(40), nullable=False),  # fixed-width UTC; creation order is job id order
    Column("start_date", String(40)),
    Column("end_date", String(40)),
    Column("assets_total", Integer, nullable=False),
    Column("processed", Integer, nullable=False, default=0),  # items handled so far, in position order
    Column("assets_updated", Integer, nullable=False, default=0),
    Column("status", String(24), nullable=False),
    # When the last finished job ended, read by every request: from an index, not from every job ever finished.
    Index(END_DATE_INDEX, "tenant", "end_date"),
    **CLUSTERED,
)

NOT_STARTED, IN_PROGRESS = "notStarted", "inProgress"
UNFINISHED_SQL = f"status IN ('{NOT_STARTED}', '{IN_PROGRESS}')"
UNFINISHED = literal_column(UNFINISHED_SQL)
"""Written out, not bound: a planner takes a partial index only for a query whose condition reads as the index's."""

# The unfinished jobs in job order, read by every request: the finished ones, however many, are not in it.
Index(UNFINISHED_INDEX, jobs.c.tenant, jobs.c.job_id, sqlite_where=UNFINISHED, postgresql_where=UNFINISHED)

# A job's asset patches, in order, as one document: written once with the job, read when its items fall due.
# (One row per patch cost a 100-asset request more than all its other statements together.)
job_patches = Table(
    "tesma_job_patches",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("job_id", BigInteger, primary_key=True, autoincrement=False),
    Column("patches", JSON, nullable=False),
    **CLUSTERED,
)

# The job's items that failed, and why; an item handled without a row here updated its asset.
job_failures = Table(
    "tesma_job_failures",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("job_id", BigInteger, primary_key=True, autoincrement=False),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("asset_id", BigInteger, nullable=False),
    Column("errors", JSON, nullable=False),
    **CLUSTERED,
)

ALL = (corporate_groups, assets, jobs, job_patches, job_failures)
