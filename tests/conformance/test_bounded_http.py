"""Retry-After in both forms, capped; the decompressed size of an answer checked without inflating it whole."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from conformance.bounded_http import (
    LONGEST_RETRY_AFTER,
    _decompressed_size_within,
    bounded_client,
    retry_after_seconds,
)

NOW = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("2", 2.0), ("0.5", 0.5), ("-3", 0.0), ("999999", LONGEST_RETRY_AFTER), ("nan", None), ("inf", None),
     ("-inf", None), ("soon", None), ("", None), (None, None),
     (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
     (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),
     (format_datetime(NOW + timedelta(days=3), usegmt=True), LONGEST_RETRY_AFTER)],
    ids=["seconds", "fraction", "negative", "huge", "nan", "inf", "minus-inf", "garbage", "empty", "absent",
         "date", "past-date", "far-date"],
)  # fmt: skip
def test_retry_after_in_both_forms_is_bounded(value, seconds):
    assert retry_after_seconds(value, now=NOW) == seconds


def test_a_gzip_bomb_is_measured_in_steps():
    bomb = gzip.compress(bytes(64 * 1024 * 1024))
    assert not _decompressed_size_within(bomb, "gzip", 16 * 1024 * 1024)
    assert _decompressed_size_within(gzip.compress(b"{}"), "gzip", 16)
    assert _decompressed_size_within(b"not gzip at all", "gzip", 16)


def test_clients_share_the_default_trust_loaded_once():
    """Loading the trust store takes tens of milliseconds, and a run opens a client per probe, target and API."""
    first, second = bounded_client(5), bounded_client(5)
    with first, second:
        contexts = [client._transport._pool._ssl_context for client in (first, second)]  # type: ignore[attr-defined]
    assert contexts[0] is contexts[1]
