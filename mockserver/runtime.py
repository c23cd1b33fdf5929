"""Everything a handler needs, bound once per app, so several mocks can share one process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection

from mockserver.auth import Authenticator
from mockserver.clock import Clock
from mockserver.store import Store
from mockserver.tenancy import Tenants
from mockserver.vendor_api import VendorApi


@dataclass
class Runtime:
    store: Store
    clock: Clock
    tenants: Tenants
    authenticator: Authenticator
    apis: list[VendorApi]

    @contextmanager
    def unit_of_work(self, tenant: str) -> Iterator[Connection]:
        """One transaction for the request, the tenant seeded first if it is new."""
        with self.store.transaction() as connection:
            self.tenants.ensure(connection, tenant)
            yield connection
