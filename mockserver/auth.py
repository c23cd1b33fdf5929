"""Credentials name tenants. `open` accepts any well-formed credential; `strict` only the listed ones."""

from __future__ import annotations

import base64
import inspect
import re
from collections.abc import Callable
from typing import Any, Literal

from connexion.exceptions import OAuthProblem, OAuthResponseProblem
from connexion.security import NO_VALUE, ApiKeySecurityHandler, BasicSecurityHandler, BearerSecurityHandler
from sqlalchemy import select
from starlette.types import Scope

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

    tenant_for = authenticator.tenant_for

    def info(credential: str) -> dict[str, str] | None:
        tenant = tenant_for(api_id, credential)
        return None if tenant is None else {"sub": tenant}

    def bearer(token: str) -> dict[str, str] | None:  # `info` written out: one call fewer on every request
        tenant = tenant_for(api_id, token)
        return None if tenant is None else {"sub": tenant}

    def basic(username: str, password: str) -> dict[str, str] | None:
        tenant = tenant_for(api_id, username)
        return None if tenant is None else {"sub": tenant}

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
    methods: dict[str, Any] = {}
    if handler in _LEAN and not any(accepts.values()) and not inspect.iscoroutinefunction(verify):
        lean = _LEAN[handler](verify)
        methods["_get_verify_func"] = lambda self, function: (
            lean if function is verify else handler._get_verify_func(self, function)
        )

    def accepts_kwarg(function: Callable[..., object], keyword: str) -> bool:
        if function is verify and keyword in accepts:
            return accepts[keyword]
        return handler._accepts_kwarg(function, keyword)

    return type(
        handler.__name__,
        (handler,),
        {"_resolve_func": lambda self, scheme: verify, "_accepts_kwarg": staticmethod(accepts_kwarg), **methods},
    )


# connexion's Basic and Bearer checks, for a verify function that is plain (neither a coroutine function nor one
# taking `required_scopes` or `request`), with the same answers and the same errors: the Authorization header read
# straight from the scope as starlette's `Headers.get` reads it (connexion builds the request's headers for it), and
# the verify function's answer returned as it is, where connexion wraps it in a coroutine of its own. What a header
# presents depends on its bytes alone, so each check remembers it for the last few headers it parsed without error;
# the verify function still decides on every request.

_INVALID_HEADER = "Invalid authorization header"
_NOT_VALID = "Provided authorization is not valid"
_NOT_VALID_TOKEN = "Provided token is not valid"
_REMEMBERED = 1024  # headers per check; all forgotten at once when full
_REMEMBERED_BYTES = 1024  # a longer header is parsed every time: what is kept stays about 1 MB a check at most


def _raw_authorization(scope: Scope) -> bytes | None:
    """The first Authorization header's bytes (starlette's `Headers.get` reads the first one), None without one."""
    for key, value in scope["headers"]:
        if key == b"authorization":
            return value
    return None


def _authorization(raw: bytes | None) -> tuple[str | None, str]:
    """`AbstractSecurityHandler.get_auth_header_value`: the scheme (lower case, None without the header) and value."""
    if not raw:  # as the decoded header is empty exactly when its bytes are
        return None, ""
    try:
        auth_type, credential = raw.decode("latin-1").split(maxsplit=1)
    except ValueError:
        raise OAuthProblem(detail=_INVALID_HEADER) from None
    return auth_type.lower(), credential


def _basic_presented(raw: bytes | None) -> object:
    """The username and password a Basic header presents, or NO_VALUE for a header of another scheme (or none)."""
    auth_type, user_pass = _authorization(raw)
    if auth_type != "basic":
        return NO_VALUE
    try:
        username, password = base64.b64decode(user_pass).decode("latin1").split(":", 1)
    except Exception:
        raise OAuthProblem(detail=_INVALID_HEADER) from None
    return username, password


def _bearer_presented(raw: bytes | None) -> object:
    """The token a Bearer header presents, or NO_VALUE for a header of another scheme (or none)."""
    auth_type, token = _authorization(raw)
    return (token,) if auth_type == "bearer" else NO_VALUE


def _lean(presented_by: Callable[[bytes | None], object], message: str) -> Callable[..., Callable[[Any], object]]:
    def bind(verify: Callable[..., object]) -> Callable[[Any], object]:
        remembered: dict[bytes | None, Any] = {}

        def check(request: Any) -> object:
            # `ConnexionRequest.scope` is looked up through its `__getattr__`, costing about as much as the check.
            inner = getattr(request, "_starlette_request", request)
            scope = inner.scope
            raw = _raw_authorization(scope)
            presented = remembered.get(raw)
            if presented is None:
                presented = presented_by(raw)
                if raw is None or len(raw) <= _REMEMBERED_BYTES:  # a client's 60 KB headers are not kept
                    if len(remembered) >= _REMEMBERED:
                        remembered.clear()
                    remembered[raw] = presented
            if presented is NO_VALUE:
                return NO_VALUE
            token_info = verify(*presented)
            if token_info is None:
                raise OAuthResponseProblem(detail=message)
            if inner is not request and request._context is None:
                # connexion's `verify_fn` goes on to update `request.context`, which the property would find through
                # `__getattr__` too: it is this dict, found here.
                request._context = scope.setdefault("extensions", {}).setdefault("connexion_context", {})
            return token_info

        return check

    return bind


_LEAN: dict[type, Callable[[Callable[..., object]], Callable[[Any], object]]] = {
    BasicSecurityHandler: _lean(_basic_presented, _NOT_VALID),
    BearerSecurityHandler: _lean(_bearer_presented, _NOT_VALID_TOKEN),
}
