"""The tenants the mock knows, named as a person may see them: a label or a fingerprint, never the credential.

In open auth mode a tenant *is* its credential, so the admin API addresses a listed tenant by its fingerprint
(the one the journal shows) and hands a credential out only once, to whoever creates the tenant."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select

from mockserver.qa.operations import tenant_fingerprint
from mockserver.store import Store
from mockserver.store.tables import credentials, tenant_labels, tenants
from mockserver.tenancy import Tenants


class UnknownTenant(LookupError):
    """No tenant the mock knows has this fingerprint."""


@dataclass(frozen=True)
class Listed:
    id: str  # the fingerprint
    label: str | None

    def shown(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label}


class TenantDirectory:
    def __init__(self, store: Store, tenants_: Tenants, api_ids: list[str]) -> None:
        self._store = store
        self._tenants = tenants_
        self._api_ids = api_ids

    def _rows(self) -> list[tuple[str, str | None]]:
        with self._store.transaction() as connection:
            labels = dict(connection.execute(select(tenant_labels.c.tenant, tenant_labels.c.label)).all())
            demo = {row.credential: row.api for row in connection.execute(select(credentials))
                    if row.credential not in labels}  # fmt: skip
            names = [row.tenant for row in connection.execute(select(tenants.c.tenant).order_by(tenants.c.tenant))]
        # A credential the dataset lists is public (the demo's, printed in the docs): it may say whose it is.
        return [(name, labels[name] if name in labels else
                 (f"{demo[name]} dataset credential" if name in demo else None)) for name in names]  # fmt: skip

    def listed(self) -> list[dict[str, Any]]:
        return [Listed(tenant_fingerprint(name), label).shown() for name, label in self._rows()]

    def resolve(self, fingerprint: str) -> str:
        """The tenant (credential) a fingerprint names."""
        for name, _ in self._rows():
            if tenant_fingerprint(name) == fingerprint:
                return name
        raise UnknownTenant(fingerprint)

    def create(self, label: str | None, snapshot: dict[str, Any] | None) -> dict[str, Any]:
        """A fresh tenant with a new credential, seeded from the dataset or from ``snapshot``; the only answer
        that shows a credential. Every API accepts it, in strict auth mode too."""
        credential = "qa-" + secrets.token_urlsafe(12)
        with self._store.transaction() as connection:
            connection.execute(insert(credentials), [{"api": api, "credential": credential} for api in self._api_ids])
            connection.execute(insert(tenant_labels).values(tenant=credential, label=label))
            self._tenants.ensure(connection, credential)
        if snapshot is not None:
            try:
                self._tenants.load(credential, snapshot)
            except Exception:
                self._forget(credential)  # a refused snapshot leaves no tenant behind
                raise
        return {**Listed(tenant_fingerprint(credential), label).shown(), "credential": credential}

    def _forget(self, credential: str) -> None:
        self._tenants.reset(credential)
        with self._store.transaction() as connection:
            connection.execute(delete(credentials).where(credentials.c.credential == credential))
            connection.execute(delete(tenant_labels).where(tenant_labels.c.tenant == credential))

    def reset(self, fingerprint: str) -> dict[str, Any]:
        """Back to the dataset, and still listed (seeded again at once)."""
        name = self.resolve(fingerprint)
        self._tenants.reset(name)
        self._tenants.dump(name)
        return {"reset": fingerprint}
