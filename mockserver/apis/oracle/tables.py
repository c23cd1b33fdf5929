"""Oracle state: assets, meter templates, asset and contract-line meters, and their readings."""

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, String, Table

from mockserver.store import CLUSTERED, metadata

assets = Table(
    "oracle_assets",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("asset_id", BigInteger, primary_key=True, autoincrement=False),
    Column("asset_number", String(80), nullable=False),
    Index("ix_oracle_assets_number", "tenant", "asset_number", unique=True),
    **CLUSTERED,
)

templates = Table(
    "oracle_meter_templates",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("meter_definition_id", BigInteger, primary_key=True, autoincrement=False),
    Column("meter_code", String(120), nullable=False),
    Column("reading_type", String(30), nullable=False),  # ORA_ABSOLUTE | ORA_CHANGE
    Column("direction", String(16), nullable=False),  # ASCENDING | DESCENDING | BOTH
    Column("min_value", Float),
    Column("max_value", Float),
    Column("rollover_allowed", Boolean, nullable=False),
    Column("rollover_max_value", Float),
    Column("rollover_reset_value", Float),
    Column("reset_allowed", Boolean, nullable=False),
    Column("reset_value", Float),
    Column("initial_value", Float),
    **CLUSTERED,
)

meters = Table(
    "oracle_meters",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("meter_id", BigInteger, primary_key=True, autoincrement=False),
    Column("meter_definition_id", BigInteger, nullable=False),
    Column("usage_code", String(30), nullable=False),  # ORA_ASSET | ORA_CONTRACT_LINE
    Column("asset_id", BigInteger),
    Column("active_start", String(40), nullable=False),
    Column("active_end", String(40)),
    **CLUSTERED,
)

readings = Table(
    "oracle_readings",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("meter_reading_id", BigInteger, primary_key=True, autoincrement=False),
    Column("meter_id", BigInteger, nullable=False),
    Column("reading_date", String(40), nullable=False),  # fixed-width UTC: text order is time order
    Column("reading_type", String(30), nullable=False),
    Column("reading_value", Float),
    Column("net_value", Float),
    Column("rollover_flag", Boolean, nullable=False),
    Column("reset_flag", Boolean, nullable=False),
    Column("initial_flag", Boolean, nullable=False),
    Column("modified_flag", Boolean, nullable=False),
    Column("disabled_flag", Boolean, nullable=False),
    Column("canceled_flag", Boolean, nullable=False),  # re-created after an earlier reading was disabled
    Column("comments", String(240)),
    Column("version", Integer, nullable=False),
    Index("ix_oracle_readings_meter_date", "tenant", "meter_id", "reading_date"),
    **CLUSTERED,
)

# A row only for a credential that holds fewer than every privilege (comma-separated; empty: none at all).
privileges = Table(
    "oracle_privileges",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("privileges", String(2000), nullable=False),
    **CLUSTERED,
)

ALL = (assets, templates, meters, readings, privileges)
