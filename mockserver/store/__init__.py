"""State behind one interface: SQLAlchemy Core over SQLite (memory or file) or PostgreSQL, SQL kept portable."""

from mockserver.store.engine import Store, metadata
from mockserver.store.engines import StoreError

# Every API keys its tables by (tenant, id); on SQLite, clustering rows by that key (WITHOUT ROWID) halves
# the cost of reading and updating them. Other dialects ignore the option (PostgreSQL's primary key index
# serves the same lookups).
CLUSTERED = {"sqlite_with_rowid": False}

__all__ = ["CLUSTERED", "Store", "StoreError", "metadata"]
