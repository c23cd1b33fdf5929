"""Security functions for connexion's own example mock (`connexion run SPEC --mock=all`), named through
connexion's APIKEYINFO_FUNC / BASICINFO_FUNC / BEARERINFO_FUNC variables: any credential is accepted, so the
second implementation answers the requests our suite sends."""

from __future__ import annotations


def any_api_key(key: str, required_scopes: object = None) -> dict[str, str]:
    return {"sub": key}


def any_basic(username: str, password: str, required_scopes: object = None) -> dict[str, str]:
    return {"sub": username}


def any_bearer(token: str) -> dict[str, str]:
    return {"sub": token}
