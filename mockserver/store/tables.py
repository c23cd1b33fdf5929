"""Tables shared by every API: which tenants exist, and which credentials strict auth accepts."""

from sqlalchemy import Column, String, Table, Text

from mockserver.store.engine import metadata

tenants = Table(
    "tenants",
    metadata,
    Column("tenant", String(512), primary_key=True),
)

credentials = Table(
    "credentials",
    metadata,
    Column("api", String(32), primary_key=True),
    Column("credential", String(512), primary_key=True),
)

# What the admin API sets for every tenant at once (the shared dataset, the clock, the fault rules), one JSON
# document per name, so that a file store restarts with them.
mock_state = Table(
    "mock_state",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# The tenants the admin API created, with the name given them (if any), so a person can tell them apart without
# their credential.
tenant_labels = Table(
    "tenant_labels",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("label", String(128), nullable=True),
)
