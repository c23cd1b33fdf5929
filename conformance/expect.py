"""Assertions that read what to expect from the contract, so a scenario never restates a status or code.

A broken expectation raises `ContractBroken` naming the parts of the answer that differ, so the verdict can
tell a difference in what the vendor documents (FAIL) from one in what we assumed (WARN).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from conformance.contracts import Contract, Rule
from conformance.findings import OUTCOME, ContractBroken

rule = pytest.mark.rule
SHOWN_BODY = 400


def describe(response: httpx.Response) -> str:
    text = response.content.decode("utf-8", errors="replace")
    body = text if len(text) <= SHOWN_BODY else text[:SHOWN_BODY] + "..."
    return f"{response.request.method} {response.request.url.path} -> {response.status_code} {body}"


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


def _unreadable(response: httpx.Response, documented: tuple[str, ...]) -> str | None:
    """Why the answer's body cannot be compared at all: labelled as something the contract never offers
    (an HTML error page), in a charset other than UTF-8, or not UTF-8 although labelled JSON."""
    if not response.content or not documented or not all(_is_json(media) for media in documented):
        return None
    header = response.headers.get("content-type", "")
    media_type, _, parameters = header.partition(";")
    media_type = media_type.strip().lower()
    if not _is_json(media_type):
        return f"a {media_type or 'unlabelled'} body (documented: {', '.join(documented)})"
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            return f"a body in charset {value.strip()} (JSON is UTF-8)"
    try:
        json.loads(response.content.decode("utf-8"))
    except UnicodeDecodeError:
        return "a body that is not UTF-8 although labelled JSON"
    except ValueError:
        return "a body labelled JSON that does not parse"
    return None


def _status_class(status: int) -> int:
    return status // 100


def expect_outcome(
    response: httpx.Response, expected: Rule, code_of: Callable[[Any], str | None], contract: Contract | None = None
) -> None:
    """The response has the rule's status and, where the rule names one, its error code, in a documented
    media type. Raises ContractBroken naming what differs."""
    wanted = f"{expected.status}{' ' + expected.code if expected.code else ''}"
    got = describe(response)
    if response.status_code >= 500:
        raise ContractBroken(expected.id, wanted, f"a server error: {got}", {OUTCOME}, answered=False)
    documented = contract.media_types(expected.method, expected.path, response.status_code) if contract else ()
    unreadable = _unreadable(response, documented)
    if unreadable:
        raise ContractBroken(expected.id, wanted, f"{unreadable}: {got}", {"media type"}, answered=False)
    differs: set[str] = set()
    if response.status_code != expected.status:
        same_class = _status_class(response.status_code) == _status_class(expected.status)
        differs.add("status" if same_class else OUTCOME)
    code = None
    if expected.code is not None:
        try:
            code = code_of(response.json())
        except ValueError:
            code = None
        if code != expected.code:
            differs.add("code")
    if not differs:
        return
    received = f"{response.status_code}{' ' + code if code else ''}"
    raise ContractBroken(expected.id, wanted, f"{received}: {got}", differs)


def expect_status(response: httpx.Response, status: int, why: str) -> None:
    """A step a scenario needs (a set-up, an accepted request): only its status class is documented here."""
    if response.status_code == status:
        return
    answered = response.status_code < 500
    raise ContractBroken(None, f"{status} ({why})", describe(response), {OUTCOME}, answered=answered)
