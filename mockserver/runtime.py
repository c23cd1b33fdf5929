"""Everything a handler needs, bound once per app, so several mocks can share one process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection

from mockserver.auth import Authenticator
from mockserver.clock import Clock
from mockserver.job_pace import JobPace
from mockserver.qa.faults import Faults
from mockserver.qa.journal import Journal
from mockserver.qa.operations import OperationIndex
from mockserver.store import Store
from mockserver.store.mock_state import MockState
from mockserver.tenancy import Tenants
from mockserver.vendor_api import VendorApi

T = TypeVar("T")


@dataclass
class Runtime:
    store: Store
    clock: Clock
    tenants: Tenants
    authenticator: Authenticator
    apis: list[VendorApi]
    job_pace: JobPace = field(default_factory=JobPace)
    # API id -> advances one tenant's asynchronous jobs (``at_once``: to their end); returns how many moved.
    job_runners: dict[str, Callable[..., int]] = field(default_factory=dict)
    # Replaced by build_app once the contracts are mounted; until then, no journal and no faults.
    journal: Journal = field(default_factory=lambda: Journal(0))
    faults: Faults = field(default_factory=lambda: Faults(OperationIndex([])))
    # The dataset, clock and fault rules the admin API sets, kept in the store; None keeps nothing.
    kept: MockState | None = None
    # The whole mock, as a client meets it: where "send again" sends a journaled request. Set by build_app.
    app: Any = None

    def run_jobs(self, tenant: str, *, at_once: bool) -> dict[str, int]:
        """Every API's jobs for ``tenant`` advanced to now (or finished), in one transaction per API."""
        moved = {}
        for api_id, runner in self.job_runners.items():
            with self.unit_of_work(tenant) as connection:
                moved[api_id] = runner(connection, tenant, at_once=at_once)
        return moved

    @contextmanager
    def unit_of_work(self, tenant: str) -> Iterator[Connection]:
        """One transaction for the request, the tenant seeded first if it is new."""
        with self.store.transaction() as connection:
            self.tenants.ensure(connection, tenant)
            yield connection

    @contextmanager
    def reading(self, tenant: str) -> Iterator[Connection]:
        """A unit of work that only reads (`Store.snapshot`); a tenant seen for the first time is seeded by
        a unit of work that writes, and read in it."""
        with self.store.snapshot() as connection:
            if self.tenants.seeded(connection, tenant):
                yield connection
                return
        with self.unit_of_work(tenant) as connection:
            yield connection

    def read(self, tenant: str, read: Callable[[Connection], T | None]) -> T:
        """`reading` for a unit of work of one read that also asks whether ``tenant`` is seeded, answering None when
        it is not: the store runs one statement where `reading` runs two. ``read`` may run twice, so it only reads;
        a tenant seen for the first time is seeded by a unit of work that writes, and read in it."""
        with self.store.snapshot() as connection:
            self.tenants.hold(connection, tenant)
            found = read(connection)
        if found is not None:
            return found
        with self.unit_of_work(tenant) as connection:
            found = read(connection)
        if found is None:
            raise AssertionError(f"a read found no tenant {tenant!r} in the unit of work that holds it")
        return found
