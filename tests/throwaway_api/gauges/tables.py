"""The gauge log's one table."""

from sqlalchemy import BigInteger, Column, Float, String, Table

from mockserver.store import metadata

gauges = Table(
    "gauge_log_gauges",
    metadata,
    Column("tenant", String(512), primary_key=True),
    Column("gauge_id", BigInteger, primary_key=True, autoincrement=False),
    Column("last_reading", Float),
)
ALL = (gauges,)
