"""Tenants: each starts from the configured dataset on first sight and never sees another's data.

Several workers or replicas may serve one store, so the store, not a process, knows which tenants exist.
A request holds its tenant shared; a reset or load holds it (or every tenant) exclusively, so it waits for
the requests in flight and every request after it, in any process, sees its result.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select
from sqlalchemy.exc import IntegrityError

from mockserver.auth import Authenticator
from mockserver.errors import FixtureError
from mockserver.store import Store, locks, read_cache
from mockserver.store.mock_state import MockState
from mockserver.store.prepared import Prepared
from mockserver.store.tables import credentials, tenants
from mockserver.vendor_api import VendorApi
from mockserver.worker_threads import before_waiting

# Outside every well-formed credential, so no real tenant can be named so (and no NUL: PostgreSQL text refuses it).
_REHEARSAL = "#rehearsal"

# Asked by every read (`seeded`) and, on a shared store, every request: prepared once, run on the raw cursor,
# since Core would cost more than the read it guards.
_EXISTS = Prepared(select(tenants.c.tenant).where(tenants.c.tenant == bindparam("tenant")))


class Tenants:
    def __init__(
        self,
        store: Store,
        apis: list[VendorApi],
        dataset: dict[str, Any],
        authenticator: Authenticator,
        kept: MockState | None = None,
    ) -> None:
        self._store = store
        self._kept = kept
        self._apis = {api.id: api for api in apis}
        self._authenticator = authenticator
        # A store one process owns may remember the tenants it has seen; a shared one is asked every time.
        self._known: set[str] | None = None if store.shared else set()
        self.dataset = dataset
        self._check_document(dataset)
        self._rehearse(dataset)
        with store.transaction() as connection:
            self._register_credentials(connection, dataset)

    def _rehearse(self, dataset: dict[str, Any]) -> None:
        """Fail at start-up, not on some tenant's first request, if the dataset cannot be loaded."""
        try:
            with self._store.rehearsal() as connection:
                for api_id, section in dataset.items():
                    self._apis[api_id].fixtures.load(connection, _REHEARSAL, section)
        except IntegrityError as error:
            raise FixtureError(f"duplicate or conflicting ids in the dataset: {error.orig}") from None

    def ensure(self, connection: Connection, tenant: str) -> None:
        """Hold ``tenant`` for this transaction, seeding it from the configured dataset unless it exists."""
        known = self._known
        if known is not None and tenant in known:
            return
        locks.shared(connection, locks.TENANCY, locks.tenant(tenant))
        # A shared store is asked every time, but for what the store's read cache proves unchanged.
        if read_cache.remembered(connection, ("tenant exists", tenant), None, lambda: self._exists(connection, tenant)):
            if known is not None:
                known.add(tenant)
            return
        locks.exclusive(connection, locks.tenant_seeding(tenant))
        if self._exists(connection, tenant):  # seeded by another worker while this one waited
            return
        # Seeding loads the whole configured dataset, of any size: never on the event loop.
        before_waiting()
        # Not remembered yet: the transaction seeding it may still roll back; the next request will see it.
        connection.execute(insert(tenants).values(tenant=tenant))
        if self._kept is not None and self._store.shared:  # another worker may have posted a new dataset
            self.dataset = self._kept.posted_dataset(connection) or self.dataset
        for api_id, section in self.dataset.items():
            self._apis[api_id].fixtures.load(connection, tenant, section)

    def seeded(self, connection: Connection, tenant: str) -> bool:
        """Whether ``tenant`` exists, held for this transaction as `ensure` holds it; writes nothing. Asks the store
        every time: a read may run beside a reset, so what this process remembers may be gone from its snapshot."""
        self.hold(connection, tenant)
        return self._exists(connection, tenant)

    @staticmethod
    def hold(connection: Connection, tenant: str) -> None:
        """Hold ``tenant`` for this transaction as `ensure` and `seeded` do, for a read that asks itself whether the
        tenant exists (a statement over the tenants table); writes nothing."""
        locks.shared(connection, locks.TENANCY, locks.tenant(tenant))

    @staticmethod
    def _exists(connection: Connection, tenant: str) -> bool:
        return _EXISTS.first(connection, {"tenant": tenant}) is not None

    def load(self, tenant: str | None, document: dict[str, Any]) -> list[str]:
        """Replace ``tenant``'s data for each section of ``document``; no tenant: a new dataset for all."""
        self._check_document(document)
        try:
            self._load(tenant, document)
        except IntegrityError as error:
            # The schema of a section cannot say "ids are unique"; the store can, and nothing was kept.
            raise FixtureError(f"duplicate or conflicting ids in the document: {error.orig}") from None
        self._store.refresh_statistics()
        return sorted(document)

    def _load(self, tenant: str | None, document: dict[str, Any]) -> None:
        with self._store.transaction() as connection:
            self._hold_for_change(connection, tenant)
            self._register_credentials(connection, document)
            if tenant is None:
                self.dataset = document
                self._reset(connection, None)
                if self._kept is not None:
                    self._kept.keep_dataset(connection, document)
            else:
                self.ensure(connection, tenant)
                for api_id, section in document.items():
                    api = self._apis[api_id]
                    api.clear(connection, tenant)
                    api.fixtures.load(connection, tenant, section)

    def reset(self, tenant: str | None) -> None:
        with self._store.transaction() as connection:
            self._hold_for_change(connection, tenant)
            self._reset(connection, tenant)

    @staticmethod
    def _hold_for_change(connection: Connection, tenant: str | None) -> None:
        """Wait for the requests in flight on ``tenant`` (or on every tenant) and keep new ones out."""
        if tenant is None:
            locks.exclusive(connection, locks.TENANCY)
        else:
            locks.shared(connection, locks.TENANCY)
            locks.exclusive(connection, locks.tenant(tenant))

    def dump(self, tenant: str) -> dict[str, Any]:
        """The tenant's data in fixture format; a tenant not seen yet is seeded first, as a request would."""
        with self._store.transaction() as connection:
            self.ensure(connection, tenant)
            return {api_id: api.fixtures.dump(connection, tenant) for api_id, api in self._apis.items()}

    def _reset(self, connection: Connection, tenant: str | None) -> None:
        for api in self._apis.values():
            api.clear(connection, tenant)
        statement = delete(tenants)
        if tenant is not None:
            statement = statement.where(tenants.c.tenant == tenant)
        connection.execute(statement)
        if self._known is not None:
            self._known.clear()

    def _check_document(self, document: dict[str, Any]) -> None:
        if not isinstance(document, dict):
            raise FixtureError("a fixture document is a mapping of API id to section")
        unknown = sorted(set(document) - set(self._apis))
        if unknown:
            raise FixtureError(f"unknown API section(s) {unknown}; known: {sorted(self._apis)}")
        for api_id, section in document.items():
            if not isinstance(section, dict):
                raise FixtureError(f"section '{api_id}' must be a mapping")

    def _register_credentials(self, connection: Connection, document: dict[str, Any]) -> None:
        locks.exclusive(connection, locks.CREDENTIALS)  # workers starting together register the same ones
        known = {(row.api, row.credential) for row in connection.execute(select(credentials))}
        fresh = {
            (api_id, credential)
            for api_id, section in document.items()
            for credential in self._apis[api_id].fixtures.credentials(section)
        } - known
        if fresh:
            connection.execute(insert(credentials), [{"api": api, "credential": value} for api, value in sorted(fresh)])
            self._authenticator.forget()
