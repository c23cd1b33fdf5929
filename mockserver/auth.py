"""Credentials name tenants. `open` accepts any well-formed credential; `strict` only the listed ones."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal

from connexion.security import ApiKeySecurityHandler, BasicSecurityHandler, BearerSecurityHandler
from sqlalchemy import select

from mockserver.store import Store
from mockserver.store.tables import credentials

AuthMode = Literal["open", "strict"]

# RFC 6750 b64token, bounded so a credential always fits the store's tenant key.
_WELL_FORMED = re.compile(r"[A-Za-z0-9\-._~+/]{1,500}=*")


class Authenticator:
    """Maps a presented credential to the tenant it names, or None to refuse it with 401."""

    def __init__(self, store: Store, mode: AuthMode) -> None:
        self._store = store
        self.mode = mode
        # Credentials are only ever added (by fixtures, through any worker), so an accepted one stays
        # accepted; one not seen here yet is looked up in the store, which every worker shares.
        self._accepted: set[tuple[str, str]] = set()

    def tenant_for(self, api_id: str, credential: str) -> str | None:
        if not _WELL_FORMED.fullmatch(credential):
            return None
        if self.mode == "strict" and not self._listed(api_id, credential):
            return None
        return credential

    def forget(self) -> None:
        """Nothing to drop: a credential missing here is looked up in the store on its next use."""

    def _listed(self, api_id: str, credential: str) -> bool:
        if (api_id, credential) in self._accepted:
            return True
        with self._store.snapshot() as connection:
            found = connection.execute(
                select(credentials.c.api).where(credentials.c.api == api_id, credentials.c.credential == credential)
            ).first()
        if found is not None:
            self._accepted.add((api_id, credential))
        return found is not None


def security_map(api_id: str, authenticator: Authenticator) -> dict[str, type]:
    """connexion security handlers for one API, each resolving to a tenant through ``authenticator``."""

    def info(credential: str) -> dict[str, str] | None:
        tenant = authenticator.tenant_for(api_id, credential)
        return None if tenant is None else {"sub": tenant}

    def bearer(token: str) -> dict[str, str] | None:
        return info(token)

    def basic(username: str, password: str) -> dict[str, str] | None:
        return info(username)

    def api_key(key: str, required_scopes: object = None) -> dict[str, str] | None:
        return info(key)

    return {
        "bearer": _bound(BearerSecurityHandler, bearer),
        "basic": _bound(BasicSecurityHandler, basic),
        "apiKey": _bound(ApiKeySecurityHandler, api_key),
    }


def _bound(handler: type, verify: Callable[..., object]) -> type:
    # connexion instantiates handlers without arguments and looks the verify function up by name in
    # the spec; a subclass returning our function keeps specs free of mock internals.
    return bound_handler(handler, verify)


def bound_handler(handler: type, verify: Callable[..., object]) -> type:
    """A connexion security handler class that verifies with ``verify``.

    connexion asks, on every request, whether the verify function takes `required_scopes` and `request`
    (`inspect.signature`, twice); for ``verify`` the answers are known here, once."""
    accepts = {keyword: handler._accepts_kwarg(verify, keyword) for keyword in ("required_scopes", "request")}

    def accepts_kwarg(function: Callable[..., object], keyword: str) -> bool:
        if function is verify and keyword in accepts:
            return accepts[keyword]
        return handler._accepts_kwarg(function, keyword)

    return type(
        handler.__name__,
        (handler,),
        {"_resolve_func": lambda self, scheme: verify, "_accepts_kwarg": staticmethod(accepts_kwarg)},
    )
