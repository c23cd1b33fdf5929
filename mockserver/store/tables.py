"""Tables shared by every API: which tenants exist, and which credentials strict auth accepts."""

from sqlalchemy import Column, String, Table

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
