"""The request headers that carry a credential, read from the contracts themselves.

Both the mock's journal and the conformance suite's evidence mask these. They live beside the contracts because
both sides read the contracts and neither may import the other: a new contract whose security scheme names a new
header is masked everywhere without a line of code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

GENERIC = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-admin-token"})
"""Credential headers whatever a contract says: HTTP's own, and what clients and proxies add."""


def declared(spec: Mapping[str, Any]) -> frozenset[str]:
    """Lower-cased names of the headers one contract's `securitySchemes` carry credentials in: an apiKey scheme's
    header, and Authorization for http schemes (basic, bearer, digest...) and OAuth2 / OpenID Connect."""
    schemes = spec.get("components", {}).get("securitySchemes", {}) or {}
    names = set()
    for scheme in schemes.values():
        if not isinstance(scheme, Mapping):
            continue
        kind = scheme.get("type")
        if kind == "apiKey" and scheme.get("in") == "header" and isinstance(scheme.get("name"), str):
            names.add(scheme["name"].lower())
        elif kind in ("http", "oauth2", "openIdConnect"):
            names.add("authorization")
    return frozenset(names)


def credential_headers(specs: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """Every header that may carry a credential to any of ``specs``: the generic ones plus each one's own."""
    names = set(GENERIC)
    for spec in specs:
        names |= declared(spec)
    return frozenset(names)
