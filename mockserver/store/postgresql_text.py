"""PostgreSQL text cannot hold the NUL character, which JSON strings may carry (\\u0000).

SQLite stores it; PostgreSQL refuses the whole statement, which would turn a valid request into a 500.
On PostgreSQL the store keeps U+FFFD (the replacement character) in its place: lossy, but only for a
character no vendor's data uses, and the request is answered as on SQLite.
"""

from __future__ import annotations

from psycopg.types.string import StrDumperUnknown


class NulSafeTextDumper(StrDumperUnknown):
    """psycopg's default for str (the server infers the type), with NUL replaced."""

    def dump(self, obj: str) -> bytes:
        return super().dump(obj.replace("\x00", "\ufffd") if "\x00" in obj else obj)
