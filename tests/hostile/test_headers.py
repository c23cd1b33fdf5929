"""Headers an outsider controls are bounded: the request head as a whole (by the HTTP server), and `Prefer`,
which is read before authentication on every vendor path, in linear time and up to a length."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.hostile.conftest import assert_vendor_error, credentials

READINGS = "/api/v3/channel/10001/reading"


@pytest.mark.parametrize("size", [20_000, 40_000])
def test_a_long_prefer_header_is_refused_at_once(http, tenant, healthy, size):
    started = time.monotonic()
    response = http.get(READINGS, headers={**credentials("energycap", tenant), "Prefer": "a" * size}, timeout=10)
    assert time.monotonic() - started < 5, "a hang, not a refusal"
    assert_vendor_error("energycap", response, 400)


@pytest.mark.parametrize("prefer", ["latency=nan", "latency=inf", "latency=-5", "latency=1e12", "latency=60001",
                                    "code=599", "code=abc", "code=99999999999999999999999"])  # fmt: skip
def test_prefer_values_out_of_range_are_refused(http, tenant, healthy, prefer):
    response = http.get(READINGS, headers={**credentials("energycap", tenant), "Prefer": prefer}, timeout=10)
    assert_vendor_error("energycap", response, 400)


def test_prefer_still_reads_what_prism_users_send(http, tenant, healthy):
    headers = {**credentials("energycap", tenant), "Prefer": "respond-async, code=404 ;latency=10"}
    assert http.get(READINGS, headers=headers).status_code == 404


def test_headers_above_the_bound_are_refused_in_the_vendors_format(http, healthy):
    response = http.get(READINGS, headers={"ECI-ApiKey": "big", "X-Filler": "a" * 70_000})
    assert_vendor_error("energycap", response, 431)


@pytest.mark.parametrize("size", [200_000, 10_000_000])
def test_a_request_head_far_above_the_bound_is_refused_by_the_server(mock_url, healthy, size):
    with httpx.Client(base_url=mock_url, timeout=10) as fresh:  # the server closes the refused connection
        try:
            status = fresh.get(READINGS, headers={"ECI-ApiKey": "big", "X-Filler": "a" * size}).status_code
        except httpx.TransportError:
            status = None  # reset while the client was still sending
    assert status in (None, 400, 431)
