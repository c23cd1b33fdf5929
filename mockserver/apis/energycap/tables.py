"""EnergyCAP state: meters, their channels, each channel's versions, and interval readings."""

from sqlalchemy import Boolean, Column, Float, Integer, String, Table, Text

from mockserver.store import CLUSTERED, metadata

meters = Table(
    "ecap_meters",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("meter_id", Integer, primary_key=True, autoincrement=False),
    Column("meter_import_id", String(255)),
    Column("meter_code", String(255)),
    **CLUSTERED,
)

channels = Table(
    "ecap_channels",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("channel_id", Integer, primary_key=True, autoincrement=False),
    Column("meter_id", Integer, nullable=False),
    Column("channel_import_id", String(255)),
    Column("interval_seconds", Integer),
    Column("observation_type_code", String(16), nullable=False),
    **CLUSTERED,
)

versions = Table(
    "ecap_channel_versions",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("channel_id", Integer, primary_key=True, autoincrement=False),
    Column("version_id", Integer, primary_key=True, autoincrement=False),
    Column("begin_date", String(40)),  # fixed-width UTC; null: since the beginning
    Column("end_date", String(40)),  # null: still in force
    Column("unit_code", String(16), nullable=False),
    Column("multiplier", Float, nullable=False),
    Column("maximum_reading", Float, nullable=False),
    Column("observation_rule", String(16), nullable=False),  # Odometer | Trip
    **CLUSTERED,
)

# Clustered by channel and time: an import checks and appends ranges of one channel.
readings = Table(
    "ecap_readings",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("channel_id", Integer, primary_key=True, autoincrement=False),
    Column("time", String(40), primary_key=True),  # fixed-width UTC
    Column("value", Float, nullable=False),
    Column("estimated", Boolean, nullable=False),
    Column("note", Text),
    **CLUSTERED,
)

ALL = (meters, channels, versions, readings)
