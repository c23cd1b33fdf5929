"""OverIT state: accounts, characteristics, catalog codes, measuring elements and their measures."""

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, String, Table, Text

from mockserver.store import CLUSTERED, metadata

accounts = Table(
    "overit_accounts",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("code", String(255), nullable=False),
    **CLUSTERED,
)

characteristics = Table(
    "overit_characteristics",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),  # plain | meter
    Column("direction", String(16)),  # FORWARD | BACKWARD, meters only
    Column("max_reading", Float),  # the counter wraps to 0 above this
    **CLUSTERED,
)

catalog_codes = Table(
    "overit_catalog_codes",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("group_id", BigInteger, nullable=False),
    Column("code", String(255), nullable=False),
    **CLUSTERED,
)

measuring_elements = Table(
    "overit_measuring_elements",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("account_id", BigInteger, nullable=False),
    Column("name", String(255), nullable=False),
    Column("status_id", Integer, nullable=False),
    Column("characteristic_id", BigInteger),
    Column("catalog_group_id", BigInteger),
    **CLUSTERED,
)

# Clustered by element: a batch reads one contiguous range of the key and updates rows by their full key.
measures = Table(
    "overit_measures",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("measuring_element_id", BigInteger, primary_key=True, autoincrement=False),
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False),
    Column("measuring_user_id", BigInteger),
    Column("measuring_date", String(32)),  # ISO 8601 UTC
    Column("value", Float),
    Column("delta_value", Float),
    Column("rotations", Integer),
    Column("catalog_code_id", BigInteger),
    Column("note", Text),
    Column("unfeasible", Boolean, nullable=False, default=False),
    Column("external_code", String(255)),
    Index("ux_overit_measures_id", "tenant", "id", unique=True),  # a measure id names one measure per tenant
    **CLUSTERED,
)

# Parents before children: clearing runs the other way round.
# A row only for a credential that holds fewer than every permission (comma-separated; empty: none at all).
permissions = Table(
    "overit_permissions",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("permissions", String(2000), nullable=False),
    **CLUSTERED,
)

ALL = (accounts, characteristics, catalog_codes, measuring_elements, measures, permissions)
