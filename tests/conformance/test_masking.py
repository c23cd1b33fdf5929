"""Masking: whole tokens for short credentials (no garbled words), every encoded echo, applied after cutting."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import httpx
import pytest

from conformance import masking
from conformance.evidence import BODY_LIMIT, Masker, exchange


def test_a_short_credential_is_masked_only_as_a_whole_token():
    masking.register("k")
    text = "about:blank; No authorization token provided; stateful checks; X-API-KEY: k; key=k&x=1"
    masked = "about:blank; No authorization token provided; stateful checks; X-API-KEY: ***; key=***&x=1"
    assert masking.mask(text) == masked


@pytest.mark.parametrize(
    "echo",
    [
        "Long-Secret/Value+42",
        quote("Long-Secret/Value+42", safe=""),
        json.dumps("Long-Secret/Value+42")[1:-1],
        "long-secret/value+42",
        "LONG-SECRET/VALUE+42",
        base64.b64encode(b"Long-Secret/Value+42").decode(),
        base64.b64encode(b"Long-Secret/Value+42:password").decode(),
    ],
    ids=["raw", "url", "json", "lower", "upper", "base64", "basic"],
)
def test_every_form_of_an_echo_is_masked(echo):
    masking.register("Long-Secret/Value+42")
    assert masking.mask(f"the target said: {echo}!") == "the target said: ***!"


def test_evidence_is_masked_before_it_is_cut():
    secret = "Cut-Here-Secret-0123456789"
    masker = Masker()
    masker.add(secret)
    body = ("x" * (BODY_LIMIT - 10) + secret).encode()
    request = httpx.Request("POST", "http://127.0.0.1/x", content=b"{}")
    shown = exchange(httpx.Response(400, content=body, request=request), masker)["response"]["body"]
    assert secret[:10] not in shown and shown.endswith("***"), shown[-40:]


def test_control_characters_are_inert_and_credentials_with_them_refused():
    assert masking.inert("a\x1b]0;title\x07b\tc\n") == "a\\x1b]0;title\\x07b\tc\n"
    with pytest.raises(masking.CredentialError, match="control characters"):
        masking.check_credential("tesma", "secret\n")
    with pytest.raises(masking.CredentialError, match="empty"):
        masking.check_credential("tesma", "")


def test_evidence_masks_a_header_a_contract_names_whatever_it_holds():
    request = httpx.Request("GET", "http://127.0.0.1/x", headers={"X-Client-Ident": "tenant-7"})
    plain = exchange(httpx.Response(200, request=request), Masker())["request"]["headers"]
    assert plain["x-client-ident"] == "tenant-7"
    masker = Masker(frozenset({"x-client-ident"}))
    assert exchange(httpx.Response(200, request=request), masker)["request"]["headers"]["x-client-ident"] == "***"
