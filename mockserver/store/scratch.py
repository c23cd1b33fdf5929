"""A throwaway PostgreSQL database: created on a server, handed out by URL, dropped after use.

For the test sessions and benchmarks that share one server: each works in a database of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mockserver.store.engines import StoreError


@contextmanager
def scratch_database(server_url: str, prefix: str) -> Iterator[str]:
    """A fresh database named ``prefix_<random>`` on the server ``server_url`` connects to; StoreError if
    it cannot be created. Connections still open at the end are closed by the server (FORCE)."""
    server = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        engine.dispose()
        where = server.render_as_string(hide_password=True)
        raise StoreError(f"cannot create a database on {where}: {str(error).splitlines()[0]}") from None
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
