"""A store written by another version of the mock is refused at start-up, not with 500s on its first requests.

A file or PostgreSQL store outlives the process. When a release changes a table (a column, an index a query names),
`create_all` leaves the old table as it is, and requests fail later. So the store keeps, beside the tables, the
shape each of ours had when it was created: the columns, keys and indexes, hashed. At start-up every table of ours
that already exists must have the shape it has here; a table new in this version (another API) is created and
its shape kept. Anything else is a StoreError saying what to do: the store is disposable test state.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Column, Connection, MetaData, String, Table, insert, inspect, select

from mockserver.store.engines import StoreError

_OWN = MetaData()
table_shapes = Table(
    "store_table_shapes",
    _OWN,
    Column("table_name", String(128), primary_key=True),
    Column("shape", String(64), nullable=False),
)


def shape_of(table: Table) -> str:
    """A digest of what the mock's queries rely on: columns (type, nullability, key), constraints and indexes."""
    parts = [table.name]
    for column in table.columns:
        parts.append(f"column {column.name} {column.type!r} null={column.nullable} key={column.primary_key}")
    for constraint in sorted(table.constraints, key=lambda c: (type(c).__name__, str(c.name))):
        parts.append(f"{type(constraint).__name__} {constraint.name} {sorted(c.name for c in constraint.columns)}")
    for index in sorted(table.indexes, key=lambda i: str(i.name)):
        options = sorted(f"{key}={value}" for key, value in index.dialect_kwargs.items())
        parts.append(f"index {index.name} {[c.name for c in index.columns]} unique={index.unique} {options}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def create_or_check(connection: Connection, metadata: MetaData, where: str) -> None:
    """Create what is missing; refuse a store whose existing tables of ours have another shape."""
    ours = metadata.tables
    existing = set(inspect(connection).get_table_names()) & set(ours)
    _OWN.create_all(connection)
    kept = {name: shape for name, shape in connection.execute(select(table_shapes.c.table_name, table_shapes.c.shape))}
    changed = sorted(name for name in existing if kept.get(name) != shape_of(ours[name]))
    if changed:
        raise StoreError(
            f"the store {where} was written by another version of the mock: its tables {', '.join(changed)} have "
            "another shape. Its state is test data: point --store at a new file or database, or empty this one."
        )
    metadata.create_all(connection)
    created = [name for name in ours if name not in kept]
    if created:
        connection.execute(insert(table_shapes), [{"table_name": n, "shape": shape_of(ours[n])} for n in created])
