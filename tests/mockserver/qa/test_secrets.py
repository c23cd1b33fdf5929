"""Credentials found by name wherever the journal would show them, the text around them kept as it was."""

import pytest

from mockserver.qa.secrets import is_secret_name, masked_body, masked_headers, masked_json, masked_query


@pytest.mark.parametrize(
    "name", ["Authorization", "ECI-ApiKey", "X-API-KEY", "X-Auth-Token", "api_key", "client_secret", "Password",
             "access_token", "Cookie", "X-Session-Id", "refreshToken"],
)  # fmt: skip
def test_names_that_say_they_carry_a_credential(name):
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["Content-Type", "CorporateGroup-Name", "beginDate", "note", "Prefer", "channelId"])
def test_names_that_do_not(name):
    assert not is_secret_name(name)


def test_headers_keep_the_scheme_of_an_authorization_only():
    shown = masked_headers([(b"Authorization", b"Bearer s"), (b"Api-Key", b"k"), (b"Accept", b"*/*")])
    assert shown == {"authorization": "Bearer ***", "api-key": "***", "accept": "*/*"}


def test_a_query_keeps_everything_but_the_secret_values():
    assert masked_query("a=1&access_token=x&client%5Fsecret=y&flag&b=2") == (
        "a=1&access_token=***&client%5Fsecret=***&flag&b=2"
    )


def test_json_members_are_masked_at_any_depth_and_in_quoted_json():
    text = (
        '{"a": 1, "pwd": "x\\"y", "auth": {"k": "v"}, "n": [{"secret": [1]}], "d": {"e": {"token": 5}},'
        ' "note": "token"}'
    )
    assert masked_json(text) == (
        '{"a": 1, "pwd": "***", "auth": "***", "n": [{"secret": "***"}], "d": {"e": {"token": "***"}}, "note": "token"}'
    )
    assert masked_json('{"m": "{\\"password\\":\\"s\\"} is not"}') == '{"m": "{\\"password\\":\\"***\\"} is not"}'


def test_a_body_cut_in_the_middle_of_a_secret_shows_none_of_it():
    assert masked_json('{"note": "n", "password": "s3cr') == '{"note": "n", "password": "***"'


def test_form_bodies_are_masked_like_queries():
    assert masked_body("user=me&password=s", "application/x-www-form-urlencoded") == "user=me&password=***"
    assert masked_body("plain text with password=s", "text/plain") == "plain text with password=s"
