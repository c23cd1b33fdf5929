"""Locks named by what they protect, held until the transaction ends.

A rule that reads state and then writes from it (the last reading of a meter, the next free id, the
pending jobs of a queue) must not be overtaken by another worker between the read and the write.

- PostgreSQL: a name maps to a transaction-scoped advisory lock (a 64-bit key hashed from the name), so
  workers and replicas wait for each other exactly where a rule needs it, and nowhere else.
- SQLite (a file, or the default private one): every unit of work that may write begins IMMEDIATE and holds
  the file's write lock until it ends, which already serialises every writer of every process (they queue for it:
  writer_queue.py); a read-only one reads a snapshot and holds nothing. There the calls do nothing.

Take locks in the order of the names below (broadest first) so that two transactions never wait on each
other in a cycle: tenancy, tenant, tenant seeding, then one API's locks, ids last.
"""

from __future__ import annotations

from hashlib import blake2b

from sqlalchemy import Connection

Name = tuple[object, ...]

TENANCY: Name = ("tenancy",)
"""Which tenants exist and the dataset new ones start from: exclusive for a reset or load of everyone."""


def tenant(name: str) -> Name:
    """One tenant's data as a whole: exclusive for its reset or load, shared by its requests."""
    return ("tenant", name)


def tenant_seeding(name: str) -> Name:
    """The first sight of a tenant: one transaction seeds it, the others wait and find it seeded."""
    return ("tenant seeding", name)


CREDENTIALS: Name = ("credentials",)


def key_of(name: Name) -> int:
    """The advisory-lock key of ``name``: stable across processes and releases (not Python's hash)."""
    digest = blake2b(repr(name).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def exclusive(connection: Connection, *names: Name) -> None:
    _take(connection, "pg_advisory_xact_lock", names)


def shared(connection: Connection, *names: Name) -> None:
    _take(connection, "pg_advisory_xact_lock_shared", names)


def _take(connection: Connection, function: str, names: tuple[Name, ...]) -> None:
    if connection.dialect.name != "postgresql" or not names:
        return
    # One round trip; PostgreSQL evaluates the select list left to right, so the order above holds.
    calls = ", ".join(f"{function}(%s)" for _ in names)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(f"SELECT {calls}", tuple(key_of(name) for name in names))
    finally:
        cursor.close()
