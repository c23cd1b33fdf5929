"""Real `mockserver` processes on one store: a `--workers` server and a separate replica beside it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from itertools import cycle
from typing import Any

import httpx

from tests.live_server import free_port

START_TIMEOUT_S = 90  # workers import and build their apps on a busy two-core machine


@contextmanager
def mockserver(*args: str) -> Iterator[str]:
    """One `mockserver` command on a free loopback port, stopped (with its workers) on exit."""
    with mockserver_process(*args) as (base_url, _process):
        yield base_url


@contextmanager
def mockserver_process(*args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`mockserver`, and the process running the command."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver.cli", "--port", str(port), "--journal", "0", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if httpx.get(f"{base_url}/__admin/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"mockserver {' '.join(args)} did not start: {process.stderr.read()}")
            time.sleep(0.1)
        yield base_url, process
    finally:
        process.terminate()  # uvicorn stops its workers on SIGTERM
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextmanager
def fleet(store_url: str, *extra: str) -> Iterator[list[str]]:
    """Three processes on ``store_url``: two uvicorn workers behind one port, and a replica on another."""
    with ExitStack() as stack:
        urls = [stack.enter_context(mockserver("--store", store_url, "--workers", "2", *extra))]
        urls.append(stack.enter_context(mockserver("--store", store_url, *extra)))
        yield urls


def hammer(urls: list[str], requests: list[dict[str, Any]], threads: int = 8) -> list[httpx.Response]:
    """Sends ``requests`` (httpx.request keyword arguments, path in ``url``) round robin over ``urls``, each on
    a fresh connection so the kernel spreads them over the workers; answers in the order of ``requests``."""
    targets = cycle(urls)
    planned = [(next(targets), request) for request in requests]

    def send(item: tuple[str, dict[str, Any]]) -> httpx.Response:
        base_url, request = item
        with httpx.Client(base_url=base_url, timeout=30) as client:
            return client.request(**request)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(send, planned))
