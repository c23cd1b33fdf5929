"""State behind one interface: SQLAlchemy Core over SQLite (memory or file), SQL kept portable."""

from mockserver.store.engine import Store, metadata

__all__ = ["Store", "metadata"]
