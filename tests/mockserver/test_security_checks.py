"""The lean Basic and Bearer checks `bound_handler` gives a plain verify function answer as connexion's own do."""

from __future__ import annotations

import asyncio
import base64
from types import SimpleNamespace
from typing import Any

import pytest
from connexion.lifecycle import ConnexionRequest
from connexion.security import BasicSecurityHandler, BearerSecurityHandler, SecurityHandlerFactory

from mockserver import auth
from mockserver.auth import bound_handler


def _basic(user_pass: bytes) -> bytes:
    return b"Basic " + base64.b64encode(user_pass)


HEADERS: list[list[tuple[bytes, bytes]]] = [
    [],
    [(b"authorization", b"")],
    [(b"authorization", b"   ")],
    [(b"authorization", b"Basic")],
    [(b"authorization", b"Bearer")],
    [(b"authorization", _basic(b"alice:secret"))],
    [(b"authorization", b"bAsIc " + base64.b64encode(b"alice:secret"))],
    [(b"authorization", _basic(b"alice:"))],
    [(b"authorization", _basic(b":secret"))],
    [(b"authorization", _basic(b"no colon"))],
    [(b"authorization", _basic(b"refused:secret"))],
    [(b"authorization", _basic("j\xf6rg:p\xe4ss".encode("latin-1")))],
    [(b"authorization", b"Basic !!!not base64")],
    [(b"authorization", b"Basic YWxpY2U6c2VjcmV0 trailing")],
    [(b"authorization", b"Basic \xe9\xe9")],
    [(b"authorization", b"Bearer token-1")],
    [(b"authorization", b"bearer   token-1 and more")],
    [(b"authorization", b"Bearer refused")],
    [(b"authorization", b"Digest abc")],
    [(b"authorization", b"Bearer first"), (b"authorization", b"Bearer second")],
    [(b"Authorization", b"Bearer not-lower-case")],
    [(b"x-other", b"Bearer token-1"), (b"authorization", _basic(b"bob:x"))],
]


def _verify(*presented: str) -> dict[str, str] | None:
    return None if presented[0] == "refused" else {"sub": presented[0]}


def _basic_verify(username: str, password: str) -> dict[str, str] | None:
    return _verify(username, password)


def _bearer_verify(token: str) -> dict[str, str] | None:
    return _verify(token)


class _Stock:
    """connexion's own handler bound to the same function: no `_get_verify_func` of ours."""

    def __init__(self, handler: type, verify: Any) -> None:
        self.handler = type(handler.__name__, (handler,), {"_resolve_func": lambda self, scheme: verify})


def _outcome(handler: type, headers: list[tuple[bytes, bytes]]) -> Any:
    """The outcome of a check of ``headers``, the same the first and the second time (from what it remembers)."""
    verify_fn = SecurityHandlerFactory.verify_security([handler().get_fn({}, [])])
    outcomes = []
    for _ in range(2):
        scope = {"type": "http", "method": "GET", "path": "/", "headers": list(headers)}
        request = ConnexionRequest(scope)
        try:
            asyncio.run(verify_fn(request))
        except Exception as error:
            outcomes.append((type(error), getattr(error, "detail", None)))
        else:
            assert request.context is scope["extensions"]["connexion_context"]
            outcomes.append(request.context)
    assert outcomes[0] == outcomes[1]
    return outcomes[0]


@pytest.mark.parametrize(
    ("handler", "verify"), [(BasicSecurityHandler, _basic_verify), (BearerSecurityHandler, _bearer_verify)]
)
@pytest.mark.parametrize("headers", HEADERS)
def test_the_lean_check_answers_as_connexions_own(handler, verify, headers):
    lean = bound_handler(handler, verify)
    assert lean._get_verify_func is not handler._get_verify_func  # the lean path is the one under test
    assert _outcome(lean, headers) == _outcome(_Stock(handler, verify).handler, headers)


def test_a_check_that_remembers_many_headers_still_answers_each(monkeypatch):
    monkeypatch.setattr(auth, "_REMEMBERED", 3)
    lean = bound_handler(BasicSecurityHandler, _basic_verify)
    for turn in range(3):
        for user in ("a", "b", "c", "d", "refused"):
            headers = [(b"authorization", _basic(f"{user}:{turn}".encode()))]
            assert _outcome(lean, headers) == _outcome(_Stock(BasicSecurityHandler, _basic_verify).handler, headers)


def test_a_verify_function_that_takes_the_request_keeps_connexions_check():
    def verify(token: str, request: Any) -> dict[str, str]:
        return {"sub": token}

    assert bound_handler(BearerSecurityHandler, verify)._get_verify_func is BearerSecurityHandler._get_verify_func


def test_a_check_keeps_no_long_header_however_many_arrive():
    parsed: list[bytes | None] = []

    def presented(raw: bytes | None) -> object:
        parsed.append(raw)
        return auth._bearer_presented(raw)

    check = auth._lean(presented, "Provided token is not valid")(_bearer_verify)
    short, long = b"Bearer " + b"s" * 100, b"Bearer " + b"l" * auth._REMEMBERED_BYTES
    for raw in (short, short, long, long):
        check(SimpleNamespace(scope={"headers": [(b"authorization", raw)]}))
    assert parsed == [short, long, long]
