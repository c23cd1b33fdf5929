"""A target that misbehaves on purpose, one way per mode, on loopback: the conformance runner must stay right,
bounded and silent about credentials against each.

The first path segment names the mode, e.g. `http://127.0.0.1:PORT/drip/v1/leases/assets`. A mode applies to the
API's paths (those with more segments); the bare `/<mode>` (the runner's reachability probe) and `/__admin` get
a plain answer, so the run gets as far as the checks. A mode named `all-<mode>` misbehaves on every path.
Every misbehaviour stops by itself after LONGEST seconds or when the client goes away.
"""

from __future__ import annotations

import base64
import json
import socket
import socketserver
import ssl
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from email.utils import formatdate
from typing import Any
from urllib.parse import quote

LONGEST = 30.0
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"
BOMB_BYTES = 256 * 1024 * 1024


def _bomb() -> bytes:
    """gzip of BOMB_BYTES zeros: about 250 KiB on the wire."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1024 * 1024)
    return b"".join(compressor.compress(zeros) for _ in range(BOMB_BYTES // len(zeros))) + compressor.flush()


class _Handler(socketserver.StreamRequestHandler):
    server: HostileServer

    def handle(self) -> None:
        self.connection.settimeout(LONGEST)
        try:
            while self._one_request():
                pass
        except OSError:
            return  # the client went away: that is how most modes end

    def _one_request(self) -> bool:
        line = self.rfile.readline(65537)
        if not line:
            return False
        method, target, _ = ([*line.decode("latin-1").split(" ", 2), "", ""])[:3]
        headers: dict[str, str] = {}
        while (header := self.rfile.readline(65537)) not in (b"\r\n", b"\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        if length:
            self.rfile.read(min(length, 1024 * 1024))
        segments = [part for part in target.split("?")[0].split("/") if part]
        mode = segments[0] if segments else ""
        self.server.count(mode)
        applies = mode.startswith("all-") or (len(segments) > 1 and segments[1] != "__admin")
        handler = MODES.get(mode.removeprefix("all-")) if applies else None
        if handler is None:
            self._send(404, b"{}")
            return True
        return handler(self, method, target, headers) is not False

    # -- building blocks ------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        head = {"Content-Type": "application/json", "Content-Length": str(len(body)), **(headers or {})}
        lines = [f"HTTP/1.1 {status} X"] + [f"{name}: {value}" for name, value in head.items()]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        self.wfile.flush()

    def _for_a_while(self) -> Iterator[None]:
        end = time.monotonic() + LONGEST
        while time.monotonic() < end:
            yield


# -- modes: each returns False to close the connection -----------------------------------------------


def drip(handler: _Handler, method: str, target: str, headers: dict[str, str]) -> bool:
    """Headers at once, then the body one byte per second."""
    body = b'{"code": "INVALID_JSON", "detail": "' + b"x" * 100 + b'"}'
    handler.wfile.write(
        f"HTTP/1.1 400 X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    )
    handler.wfile.flush()
    _one_byte_a_second(handler, body)
    return False


def _one_byte_a_second(handler: _Handler, data: bytes) -> None:
    for byte, _ in zip(data, handler._for_a_while(), strict=False):
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(1)


def drip_headers(handler: _Handler, method: str, target: str, headers: dict[str, str]) -> bool:
    """The status line and headers one byte per second."""
    _one_byte_a_second(
        handler, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"y" * 100 + b"\r\n\r\n{}"
    )
    return False


def huge(handler: _Handler, method: str, target: str, headers: dict[str, str]) -> bool:
    """A 200 MB answer, sent as fast as the client reads it."""
    size = 200 * 1000 * 1000
    handler.wfile.write(f"HTTP/1.1 400 X\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n".encode())
    block = b" " * 65536
    for _, _ in zip(range(size // len(block)), handler._for_a_while(), strict=False):
        handler.wfile.write(block)
    return False


def chunked(handler: _Handler, method: str, target: str, headers: dict[str, str]) -> bool:
    """A chunked answer that never ends (until LONGEST)."""
    handler.wfile.write(b"HTTP/1.1 400 X\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    block = b" " * 65536
    chunk = f"{len(block):x}\r\n".encode() + block + b"\r\n"
    for _ in handler._for_a_while():
        handler.wfile.write(chunk)
    return False


def gzip_bomb(handler: _Handler, method: str, target: str, headers: dict[str, str]) -> bool:
    """A small gzip body that inflates to BOMB_BYTES."""
    handler._send(400, handler.server.bomb, {"Content-Encoding": "gzip"})
    return False


def echo(handler: _Handler, method: str, target: str, headers: dict[str, str]) -> bool:
    """Every request header echoed back, as is and in the forms an echo takes: URL-encoded, JSON-escaped,
    base64, lower-cased; with a 400, so that the run fails and shows it."""
    echoed = {}
    for name, value in headers.items():
        secret = value.removeprefix("Bearer ")
        echoed[name] = {
            "raw": value, "url": quote(secret, safe=""), "lower": secret.lower(),
            "base64": base64.b64encode(secret.encode()).decode(),
        }  # fmt: skip
    text = json.dumps({"code": "ECHO", "detail": f"you sent {headers}", "headers": echoed})
    handler._send(400, text.encode(), {"X-Echo": headers.get("x-api-key", "")})
    return True


def escapes(handler: _Handler, method: str, target: str, headers: dict[str, str]) -> bool:
    """Terminal escape sequences (title, clear screen, colour) raw in the body (JSON would escape them) and in a
    header."""
    body = f"{ESCAPES} this is not JSON {ESCAPES}".encode()
    handler._send(400, body, {"X-Title": ESCAPES.replace("\x07", "")})
    return True


def _rate_limited(retry_after: Callable[[], str]) -> Callable[[_Handler, str, str, dict[str, str]], bool]:
    def mode(handler: _Handler, method: str, target: str, headers: dict[str, str]) -> bool:
        handler._send(429, b'{"code": "SLOW_DOWN"}', {"Retry-After": retry_after()})
        return True

    return mode


def redirect_loop(handler: _Handler, method: str, target: str, headers: dict[str, str]) -> bool:
    """A same-host 307 back to the same path, forever."""
    handler._send(307, b"", {"Location": target})
    return True


def garbage(handler: _Handler, method: str, target: str, headers: dict[str, str]) -> bool:
    handler.wfile.write(b"\x16\x03\x01 this is not HTTP\r\n\r\n")
    return False


MODES: dict[str, Callable[[_Handler, str, str, dict[str, str]], bool]] = {
    "drip": drip, "drip-headers": drip_headers, "huge": huge, "chunked": chunked, "gzip-bomb": gzip_bomb,
    "echo": echo, "escapes": escapes, "redirect-loop": redirect_loop, "garbage": garbage,
    "retry-huge": _rate_limited(lambda: "999999"), "retry-nan": _rate_limited(lambda: "nan"),
    "retry-date": _rate_limited(lambda: formatdate(time.time() + 2, usegmt=True)),
}  # fmt: skip


class HostileServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self._tls = tls
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._bomb: bytes | None = None

    @property
    def bomb(self) -> bytes:
        with self._lock:
            if self._bomb is None:
                self._bomb = _bomb()
            return self._bomb

    def count(self, mode: str) -> None:
        with self._lock:
            self.requests[mode] += 1

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        if self._tls is None:
            return connection, address
        connection.settimeout(LONGEST)
        try:
            return self._tls.wrap_socket(connection, server_side=True), address
        except (OSError, ssl.SSLError):
            connection.close()
            raise OSError("TLS handshake refused") from None

    def url(self, mode: str) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self.server_address[1]}/{mode}"


@contextmanager
def hostile_server(tls: ssl.SSLContext | None = None) -> Iterator[HostileServer]:
    server = HostileServer(tls)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


if __name__ == "__main__":  # serve by hand: python -m tests.conformance.hostile_server
    with hostile_server() as running:
        print(f"hostile target on {running.url('<mode>')}; modes: {', '.join(sorted(MODES))}", flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()
