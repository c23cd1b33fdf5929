"""EnergyCAP state: meters, their channels, each channel's versions with their UDF values, interval readings,
and the reference data the responses name (units, observation types, UDF definitions)."""

from sqlalchemy import JSON, Boolean, Column, Float, Integer, String, Table, Text, UniqueConstraint

from mockserver.store import CLUSTERED, metadata

meters = Table(
    "ecap_meters",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("meter_id", Integer, primary_key=True, autoincrement=False),
    Column("meter_import_id", String(255)),
    Column("meter_code", String(255)),
    Column("meter_info", String(255)),
    Column("serial_number", String(255)),
    Column("active", Boolean, nullable=False, default=True),
    # Descriptive objects no rule reads (commodity, meterType, route, the calculated/split flags), kept whole.
    Column("attributes", JSON, nullable=False, default=dict),
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
    Column("channel_description", String(255)),
    Column("is_used_on_distribution", Boolean, nullable=False, default=False),
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

version_udfs = Table(
    "ecap_channel_version_udfs",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("channel_id", Integer, primary_key=True, autoincrement=False),
    Column("version_id", Integer, primary_key=True, autoincrement=False),
    Column("udf_id", Integer, primary_key=True, autoincrement=False),
    Column("value", Text, nullable=False),  # no row: no value
    **CLUSTERED,
)

units = Table(
    "ecap_units",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("unit_id", Integer, primary_key=True, autoincrement=False),
    Column("unit_code", String(16), nullable=False),
    Column("unit_info", String(255)),
    UniqueConstraint("tenant", "unit_code"),
    **CLUSTERED,
)

observation_types = Table(
    "ecap_observation_types",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("observation_type_code", String(16), primary_key=True),
    Column("observation_type_id", Integer, nullable=False),
    Column("observation_type_info", String(255)),
    Column("noun_id", Integer),
    Column("noun_code", String(64)),
    Column("credit", Integer),  # 1 Credit, 2 Debit, 3 Ignore
    **CLUSTERED,
)

udfs = Table(
    "ecap_udfs",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("udf_id", Integer, primary_key=True, autoincrement=False),
    Column("name", String(255), nullable=False),
    Column("description", String(255)),
    Column("display_order", Integer, nullable=False, default=0),
    Column("important", Boolean, nullable=False, default=False),
    Column("data_type", JSON, nullable=False),  # {dataTypeId, dataTypeCode, dataTypeInfo}
    Column("select_values", JSON, nullable=False, default=list),  # [{udfSelectValueId, value, displayOrder}]
    **CLUSTERED,
)

ALL = (meters, channels, versions, version_udfs, readings, units, observation_types, udfs)
