"""Assertions that read what to expect from the contract, so a scenario never restates a status or code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from conformance.contracts import Rule

rule = pytest.mark.rule


def describe(response: httpx.Response) -> str:
    body = response.text if len(response.text) <= 400 else response.text[:400] + "..."
    return f"{response.request.method} {response.request.url.path} -> {response.status_code} {body}"


def expect_outcome(response: httpx.Response, expected: Rule, code_of: Callable[[Any], str | None]) -> None:
    """The response has the rule's status and, where the rule names one, its error code."""
    assert response.status_code == expected.status, (
        f"{expected.id}: expected {expected.status}, got {describe(response)}"
    )
    if expected.code is None:
        return
    try:
        body = response.json()
    except ValueError:
        pytest.fail(f"{expected.id}: expected a JSON error body with code {expected.code}, got {describe(response)}")
    code = code_of(body)
    assert code == expected.code, f"{expected.id}: expected code {expected.code}, got {code!r}: {describe(response)}"


def expect_status(response: httpx.Response, status: int, why: str) -> None:
    assert response.status_code == status, f"{why}: expected {status}, got {describe(response)}"
