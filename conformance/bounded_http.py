"""Every request a run sends is bounded, whatever the target does: a deadline for the whole exchange (connect,
headers and the whole body, not per read), a cap on the answer's size after decompression, the rate limit on
every hop (redirects included), and the run's budget and interrupt checked before each one.

Two clients carry the bounds: httpx (scenarios, probes) through a transport whose sockets read against the
request's deadline, and requests (schemathesis) through an adapter that reads the answer in a bounded loop.
"""

from __future__ import annotations

import contextlib
import functools
import math
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpcore
import httpx
import requests
from requests.adapters import HTTPAdapter
from schemathesis.transport.requests import ManagedCookiesSession
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from conformance.run_limits import RunLimits

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
"""The largest answer (decompressed) a run accepts: no documented answer of these APIs comes close."""
MAX_REDIRECTS = 5
LONGEST_RETRY_AFTER = 60.0
_CHUNK = 64 * 1024


class ResponseTooLarge(httpx.TransportError):
    """The target's answer is larger than the run accepts."""


class RequestDeadline(httpx.ReadTimeout):
    """The target did not give its whole answer within the request's deadline."""


def too_large_message(limit: int) -> str:
    return f"the target's answer is larger than {limit // (1024 * 1024)} MiB (decompressed); the run stopped reading"


def deadline_message(seconds: float) -> str:
    return f"no whole answer within {seconds:g} s (connect, headers and body)"


class RateLimit:
    """At most ``per_second`` requests, spaced evenly; shared by every client of the run."""

    def __init__(self, per_second: float | None) -> None:
        self._interval = 1 / per_second if per_second else 0.0
        self._next = 0.0

    def wait(self, limits: RunLimits | None = None) -> None:
        if not self._interval:
            return
        now = time.monotonic()
        if now < self._next:
            (limits or RunLimits()).pause(self._next - now)
        self._next = max(now, self._next) + self._interval

    def on_request(self, request: httpx.Request) -> None:
        self.wait()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks to wait, in either form (delay-seconds or an HTTP-date), capped at
    LONGEST_RETRY_AFTER; None when absent or unreadable (nan, inf, garbage)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), LONGEST_RETRY_AFTER)


def _decompressed_size_within(raw: bytes, encoding: str, limit: int) -> bool:
    """Whether ``raw``, decoded as its Content-Encoding says, stays within ``limit`` bytes (checked in steps,
    so a gzip bomb is never expanded whole)."""
    for coding in reversed([part.strip().lower() for part in encoding.split(",") if part.strip()]):
        if coding in ("gzip", "x-gzip"):
            decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            decoder = zlib.decompressobj()
        else:
            continue  # an encoding httpx leaves undecoded stays as the raw bytes already capped
        total, pending = 0, raw
        try:
            while pending:
                total += len(decoder.decompress(pending, limit + 1 - total))
                if total > limit:
                    return False
                pending = decoder.unconsumed_tail
        except zlib.error:
            return True  # not really compressed: httpx reports the decoding error itself
        raw = b""  # a second layer would need the decoded bytes; one layer is what servers send
    return True


# -- httpx ----------------------------------------------------------------------------------------

_deadline: ContextVar[float] = ContextVar("request_deadline", default=math.inf)


def _left(timeout: float | None) -> float:
    left = _deadline.get() - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("request deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, _left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(super().connect_tcp(host, port, _left(timeout), local_address, socket_options))


class BoundedTransport(httpx.HTTPTransport):
    """An httpx transport that gives each request ``seconds`` in all and reads at most ``max_bytes``."""

    def __init__(self, seconds: float, *, max_bytes: int = MAX_RESPONSE_BYTES, verify: Any = True) -> None:
        context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)
        super().__init__(verify=context, retries=0)
        # httpx does not take a network backend; the pool it would build is the same one with ours.
        self._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=_DeadlineBackend())
        self._seconds = seconds
        self._max_bytes = max_bytes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        _deadline.set(time.monotonic() + self._seconds)
        try:
            response = super().handle_request(request)
            raw = bytearray()
            try:
                for chunk in response.stream:
                    raw += chunk
                    if len(raw) > self._max_bytes:
                        raw.clear()  # a failure's traceback keeps its frame: never 16 MiB per failed example
                        raise ResponseTooLarge(too_large_message(self._max_bytes), request=request)
            finally:
                response.close()
        except httpx.TimeoutException as error:
            if _deadline.get() <= time.monotonic():
                raise RequestDeadline(deadline_message(self._seconds), request=request) from error
            raise
        finally:
            _deadline.set(math.inf)
        if not _decompressed_size_within(bytes(raw), response.headers.get("content-encoding", ""), self._max_bytes):
            raise ResponseTooLarge(too_large_message(self._max_bytes), request=request)
        return httpx.Response(
            response.status_code, headers=response.headers, stream=httpx.ByteStream(bytes(raw)),
            extensions=response.extensions,
        )  # fmt: skip


@functools.cache
def system_trust() -> ssl.SSLContext:
    """The default trust (certifi's, or SSL_CERT_FILE's), loaded once per process: loading it takes tens of
    milliseconds and a run opens several clients. Connections share one context safely."""
    return httpx.create_ssl_context(verify=True)


def verify_setting(ca_bundle: str | None) -> ssl.SSLContext:
    """What httpx's ``verify`` takes for a private CA bundle (the system's trust otherwise)."""
    return ssl.create_default_context(cafile=ca_bundle) if ca_bundle else system_trust()


def bounded_client(
    seconds: float, *, ca_bundle: str | None = None, max_bytes: int = MAX_RESPONSE_BYTES, **kwargs: Any
) -> httpx.Client:
    """An httpx client every request of which is bounded (see BoundedTransport)."""
    transport = BoundedTransport(seconds, max_bytes=max_bytes, verify=verify_setting(ca_bundle))
    return httpx.Client(transport=transport, timeout=seconds, **kwargs)


# -- requests (schemathesis) ----------------------------------------------------------------------


class ResponseTooLargeError(requests.exceptions.RequestException):
    """The target's answer is larger than the run accepts (requests' side)."""


def _cut_off_after(seconds: float, base: type[HTTPConnection]) -> type[HTTPConnection]:
    """``base`` whose wait for the status line and headers ends after ``seconds``: a watchdog shuts the socket
    down, since the socket timeout is per read and a target can drip its headers a byte at a time."""

    class DeadlineConnection(base):  # type: ignore[valid-type,misc]
        def getresponse(self, *args: Any, **kwargs: Any) -> Any:
            watchdog = threading.Timer(seconds, self._cut_off)
            watchdog.daemon = True
            watchdog.start()
            try:
                return super().getresponse(*args, **kwargs)
            finally:
                watchdog.cancel()

        def _cut_off(self) -> None:
            with contextlib.suppress(OSError, AttributeError):
                self.sock.shutdown(socket.SHUT_RDWR)

    return DeadlineConnection


class BoundedAdapter(HTTPAdapter):
    """A requests adapter: the run's stop checked, the rate limit applied (every hop, since requests follows
    redirects through here), and the answer read in a bounded loop against the request's deadline."""

    def __init__(
        self, seconds: float, limits: RunLimits, rate: RateLimit, *, max_bytes: int = MAX_RESPONSE_BYTES
    ) -> None:
        super().__init__(max_retries=0)
        self.seconds = seconds
        self.limits = limits
        self.rate = rate
        self.max_bytes = max_bytes
        self.operation = ""
        self._failures: dict[str, requests.exceptions.RequestException] = {}
        pools = {"http": HTTPConnectionPool, "https": HTTPSConnectionPool}
        self.poolmanager.pool_classes_by_scheme = {
            scheme: type(pool.__name__, (pool,), {"ConnectionCls": _cut_off_after(seconds, pool.ConnectionCls)})
            for scheme, pool in pools.items()
        }

    def remember(self, failure: requests.exceptions.RequestException) -> None:
        self._failures.setdefault(self.operation, failure)

    def _stop(self, request: requests.PreparedRequest) -> None:
        """When the run must stop: an operation that already broke a bound keeps failing with that (so the
        failure found is reported, not lost to the stop); any other is not run."""
        if self.limits.stop_reason() and self.operation in self._failures:
            failure = self._failures[self.operation]
            raise type(failure)(*failure.args, request=request)
        self.limits.check()

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None, **kwargs: Any) -> Any:
        self._stop(request)
        self.rate.wait(self.limits)
        self._stop(request)  # the wait may have run into the budget
        deadline = time.monotonic() + self.seconds
        try:
            response = super().send(request, stream=True, timeout=(self.seconds, self.seconds), **kwargs)
        except requests.exceptions.ConnectionError as error:
            if time.monotonic() >= deadline:  # the watchdog cut a dripped status line or headers
                raise requests.exceptions.ReadTimeout(deadline_message(self.seconds), request=request) from error
            raise
        content = bytearray()
        try:
            # read1: whatever arrived, so a body dripped a byte at a time still meets the deadline check.
            while chunk := response.raw.read1(_CHUNK, decode_content=True):
                content += chunk
                if len(content) > self.max_bytes:
                    content.clear()  # a failure's traceback keeps its frame: never 16 MiB per failed example
                    raise ResponseTooLargeError(too_large_message(self.max_bytes), request=request)
                if time.monotonic() > deadline:
                    content.clear()
                    raise requests.exceptions.ReadTimeout(deadline_message(self.seconds), request=request)
        except requests.exceptions.RequestException:
            response.close()
            raise
        except Exception as error:  # urllib3's own read errors, as requests would report them
            response.close()
            raise requests.exceptions.ConnectionError(error, request=request) from error
        response._content = bytes(content)
        response._content_consumed = True
        response.close()
        return response


class BoundedSession(ManagedCookiesSession):
    """schemathesis' own same-host session (cookies dropped between requests), every hop bounded, at most
    MAX_REDIRECTS of them."""

    def __init__(self, adapter: BoundedAdapter, ca_bundle: str | None = None) -> None:
        super().__init__()
        self.max_redirects = MAX_REDIRECTS
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        self._adapter = adapter
        if ca_bundle:
            self.verify = ca_bundle

    def for_operation(self, label: str) -> BoundedSession:
        """This session, its bounds' failures kept under ``label`` (the API operation being checked)."""
        self._adapter.operation = label
        return self

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        try:
            return super().request(*args, **kwargs)
        except requests.exceptions.RequestException as error:  # a bound broken, or too many redirects
            self._adapter.remember(error)
            raise
