"""State behind one interface: SQLAlchemy Core over SQLite (memory or file), SQL kept portable."""

from mockserver.store.engine import Store, metadata

# Every API keys its tables by (tenant, id); on SQLite, clustering rows by that key (WITHOUT ROWID) halves
# the cost of reading and updating them. Other dialects ignore the option.
CLUSTERED = {"sqlite_with_rowid": False}

__all__ = ["CLUSTERED", "Store", "metadata"]
