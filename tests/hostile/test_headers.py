"""Headers an outsider controls are bounded: the request head as a whole (by the HTTP server), and `Prefer`,
which is read before authentication on every vendor path, in linear time and up to a length."""

from __future__ import annotations

import base64
import json
import select
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest

from mockserver.app import build_app
from mockserver.cli import HTTP_PARSERS, server_config
from mockserver.settings import Settings
from tests.hostile.conftest import ERROR_FORMATS, assert_vendor_error, credentials
from tests.live_server import serve

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


@pytest.fixture(scope="module")
def mock_on_each_parser() -> Iterator[dict[str, str]]:
    """The mock served as the CLI serves it, once on each parser `--http` offers."""
    with ExitStack() as stack:
        app = build_app(Settings())
        yield {
            name: stack.enter_context(serve(app, server_config(app, "127.0.0.1", 0, log_level="critical", http=http)))
            for name, http in HTTP_PARSERS.items()
        }


def _sent_before_the_server_answered(url: str, limit: int) -> tuple[int, bytes]:
    """Streams one header that never ends, in small pieces; returns how much was sent when the server answered or
    closed, and what it answered."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(f"GET {READINGS} HTTP/1.1\r\nHost: {host}\r\nECI-ApiKey: big\r\nX-Filler: ".encode())
        sent, piece = 0, b"a" * 4096
        while sent < limit:
            try:
                connection.sendall(piece)
            except OSError:  # reset: the server refused and closed
                break
            sent += len(piece)
            time.sleep(0.001)  # separate reads on the server's side, as a slow client's pieces arrive
            readable, _, _ = select.select([connection], [], [], 0)
            if readable:
                break
        try:
            connection.settimeout(5)
            answer = connection.recv(200)
        except OSError:
            answer = b""
    return sent, answer


@pytest.mark.parametrize("parser", list(HTTP_PARSERS))
def test_a_head_that_never_ends_is_refused_near_the_bound(mock_on_each_parser, parser):
    """Neither parser keeps reading a head past the bound (64 KiB) plus a read; without a bound, httptools reads
    all 4 MiB sent here and still waits for the head's end."""
    sent, answer = _sent_before_the_server_answered(mock_on_each_parser[parser], 4 * 1024 * 1024)
    assert sent < 1024 * 1024, f"{parser} still reading after {sent} bytes of one header"
    assert answer == b"" or answer.split(b" ")[1] in (b"400", b"431"), answer


@pytest.mark.parametrize("parser", list(HTTP_PARSERS))
def test_both_parsers_answer_pipelined_requests_with_large_bodies(mock_on_each_parser, parser, tenant):
    """The bound counts head bytes only: bodies far above it, and the requests after them on one connection, pass."""
    host, port = mock_on_each_parser[parser].removeprefix("http://").split(":")
    body = json.dumps([{"channelId": 10001, "readings": [{"time": "2026-01-01T00:00:00Z", "value": 1.5}]}] * 4000)
    request = (
        f"POST /api/v3/reading HTTP/1.1\r\nHost: {host}\r\nECI-ApiKey: {tenant}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request * 3)
        received = b""
        while received.count(b"HTTP/1.1 200") < 3:
            chunk = connection.recv(65536)
            assert chunk, received[-300:]
            received += chunk
    assert b"HTTP/1.1 4" not in received


# The Authorization header is read straight from the request's raw bytes (auth.py): malformed ones are refused as the
# vendor refuses a missing or wrong credential, never a 5xx.
_MALFORMED_AUTHORIZATION = [
    b"Basic",
    b"Basic ",
    b"Basic %%%not-base64%%%",
    b"Basic " + base64.b64encode(b"no-colon-here"),
    b"Basic " + base64.b64encode(b"\xff\xfe:\x00"),
    b"Basic \xff\xfe\xfd",
    b"Basic\t" + base64.b64encode(b"user:pw"),
    b"Basic  " + base64.b64encode(b":"),
    b"Basic " + b"QUFB" * 5_000,
    b"Bearer",
    b"Bearer \xc3\x28",
    b"Bearer " + b"t" * 7_000,
    b"bearer    spaced-token   ",
    b"Digest username=x",
    b"\x00\x01\x02",
]


_WHERE = {
    "oracle": ("GET", "/fscmRestApi/resources/11.13.18.05/meterReadings/1", b""),
    "overit": ("PATCH", "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch", b"[]"),
}


def _raw_exchange(url: str, method: str, path: str, authorization: bytes, body: bytes) -> tuple[int, bytes, bytes]:
    """Sent as written (an HTTP client would refuse some of these bytes): the status, Content-Type and body."""
    host, port = url.removeprefix("http://").split(":")
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(head + b"Authorization: " + authorization + b"\r\n\r\n" + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head_bytes, _, answered_body = answer.partition(b"\r\n\r\n")
    lines = head_bytes.split(b"\r\n")
    content_type = next(
        (line.split(b":", 1)[1].strip() for line in lines if line.lower().startswith(b"content-type:")), b""
    )
    return int(lines[0].split()[1]), content_type, answered_body


@pytest.mark.parametrize("api", sorted(_WHERE))
@pytest.mark.parametrize("value", _MALFORMED_AUTHORIZATION, ids=range(len(_MALFORMED_AUTHORIZATION)))
def test_a_malformed_authorization_header_is_refused_in_the_vendors_format(mock_url, healthy, api, value):
    method, path, body = _WHERE[api]
    status, content_type, answered = _raw_exchange(mock_url, method, path, value, body)
    if status == 400 and not answered.startswith(b"{"):
        return  # refused by the HTTP server before the app (a control byte in a header): no vendor is reached
    assert 400 <= status < 500, (status, answered[:300])
    media_type, code_member = ERROR_FORMATS[api]
    assert content_type.split(b";")[0].decode() == media_type, content_type
    assert code_member in json.loads(answered), answered[:300]
