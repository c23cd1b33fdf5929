"""What every benchmark needs: a mock started as a user starts it, seeded through /__admin, and timings."""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Mock:
    port: int
    pid: int
    cold_start: float
    """Seconds from launch to the first answer."""


@contextmanager
def running_mock(*options: str) -> Iterator[Mock]:
    """`mockserver` in its own process, as a user starts it."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver.cli", "--port", str(port), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/__admin/health", timeout=1):
                    break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode() if process.stderr else "") from None
                time.sleep(0.005)
        yield Mock(port=port, pid=process.pid, cold_start=time.perf_counter() - started)
    finally:
        process.terminate()
        process.wait()


def seed(port: int, tenant: str, document: dict) -> float:
    """Load a fixture document for ``tenant``; returns the seconds it took."""
    started = time.perf_counter()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/__admin/fixtures?tenant={tenant}",
        data=json.dumps(document).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=600).read()
    return time.perf_counter() - started


def percentiles(seconds: list[float]) -> tuple[float, float]:
    """p50 and p99 in milliseconds."""
    cuts = statistics.quantiles(seconds, n=100)
    return cuts[49] * 1000, cuts[98] * 1000
