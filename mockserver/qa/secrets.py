"""What the journal must never show: credentials, found by name in headers, query strings and bodies.

A name is a credential's when it says so (token, key, secret, password, auth..., session, cookie, signature),
which covers the vendors' own schemes (Authorization, ECI-ApiKey, X-API-KEY) and what clients add on their own
(X-Auth-Token, Api-Key, `?access_token=`, a `password` field). A header is also a credential's when a contract's
security scheme names it (`asset_meter_specs.credential_headers`), whatever its name says. Masking keeps the text
as it was sent around the masked values, and works on a body cut at the journal's shown bytes as well as on a
whole one."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

from asset_meter_specs.credential_headers import GENERIC

MASK = "***"

_SECRET_WORDS = re.compile(r"token|secret|passw|pwd|key|auth|credential|session|cookie|signature")


def is_secret_name(name: str) -> bool:
    return _SECRET_WORDS.search(re.sub(r"[^a-z0-9]", "", name.lower())) is not None


def masked_headers(headers: list[tuple[bytes, bytes]], credential_headers: frozenset[str] = GENERIC) -> dict[str, str]:
    """``credential_headers``: lower-cased names the contracts carry credentials in (besides the ones named so)."""
    shown: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        if name in credential_headers or is_secret_name(name):
            scheme, _, rest = value.partition(" ")
            value = f"{scheme} {MASK}" if rest and name.endswith("authorization") else MASK
        shown[name] = value
    return shown


_PAIR = re.compile(r"([^&;=]*)=([^&;]*)")


def masked_query(query: str) -> str:
    """`a=1&access_token=x` -> `a=1&access_token=***`; also form-encoded bodies."""
    return _PAIR.sub(
        lambda m: f"{m.group(1)}={MASK}" if is_secret_name(unquote_plus(m.group(1))) else m.group(0), query
    )


# A JSON member's name, and the value that follows it: a string (closed, or cut at the end of the text), a flat
# object or array, or a scalar. Under a name that is not a credential's, every nested member is checked by its own.
# The same once more for JSON quoted inside a JSON string (`\"password\": \"...\"`), as an error message that
# repeats the request shows it.
_PLAIN = (
    re.compile(r'"((?:[^"\\]|\\.)*)"\s*:\s*'),
    re.compile(r'"(?:[^"\\]|\\.)*(?:"|\Z)|\{[^{}]*\}|\[[^\[\]]*\]|[^\s,}\]]+'),
    '"',
)
_QUOTED = (
    re.compile(r'\\"((?:[^"\\]|\\[^"])*)\\"\s*:\s*'),
    re.compile(r'\\"(?:[^"\\]|\\[^"])*(?:\\"|\\?\Z)|\{[^{}]*\}|\[[^\[\]]*\]|[^\s,}\]\\]+'),
    '\\"',
)


def masked_json(text: str) -> str:
    for names, values, quote in (_PLAIN, _QUOTED):
        shown, done = [], 0
        for name in names.finditer(text):
            if name.start() < done or not is_secret_name(name.group(1)):
                continue
            value = values.match(text, name.end())
            if value is not None:
                shown += [text[done : name.end()], f"{quote}{MASK}{quote}"]
                done = value.end()
        text = "".join([*shown, text[done:]])
    return text


def masked_body(text: str, content_type: str) -> str:
    if "x-www-form-urlencoded" in content_type.lower():
        return masked_query(text)
    return masked_json(text) if '"' in text else text
