"""Numbers as the store holds them: integers are int64."""

from __future__ import annotations

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def parse_int64(text: str) -> int:
    """An integer the store can hold, or ValueError saying it cannot (digits checked first, before int() runs)."""
    digits = text.strip().lstrip("+-")
    if len(digits) > 19:
        raise ValueError(f"{text[:40]!r} has more digits than a 64-bit integer")
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError(f"{text!r} is outside the 64-bit integer range")
    return value
