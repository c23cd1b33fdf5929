"""`mockserver --workers N` gives each worker a listening socket of its own on the one port (SO_REUSEPORT), so the
kernel spreads connections over the workers instead of the first awake taking every waiting one."""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

import httpx
import pytest

from mockserver.cli import main
from tests.live_server import free_port
from tests.scale.processes import START_TIMEOUT_S, mockserver_process

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def listening_inodes(port: int) -> set[str]:
    """The inodes of the TCP sockets listening on ``port`` (IPv4)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, state, inode = int(fields[1].split(":")[1], 16), fields[3], fields[9]
        if local_port == port and state == "0A":  # LISTEN
            inodes.add(inode)
    return inodes


def socket_inodes(pid: int) -> set[str]:
    """The sockets process ``pid`` holds; none once it has ended (uvicorn replaces a worker it finds hung)."""
    found: set[str] = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except FileNotFoundError:
        return found
    for fd in descriptors:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[len("socket:[") : -1])
    return found


def worker_pids(parent: int) -> list[int]:
    """The worker processes of the `mockserver` process ``parent`` (uvicorn's supervisor is its main thread)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    workers = []
    for child in children:
        try:
            if "spawn_main" in Path(f"/proc/{child}/cmdline").read_text():
                workers.append(int(child))
        except FileNotFoundError:
            continue  # ended meanwhile
    return workers


def test_each_worker_listens_on_a_socket_of_its_own(tmp_path: Path) -> None:
    with mockserver_process("--store", f"sqlite:///{tmp_path / 'store.db'}", "--workers", "2") as (base_url, process):
        port = int(base_url.rsplit(":", 1)[1])
        # The command answers once one worker does; the other may still be building its app.
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            workers, listening = worker_pids(process.pid), listening_inodes(port)
            held = [socket_inodes(pid) & listening for pid in workers]
            if (len(held) == 2 and all(held)) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        seen = f"workers {workers}, listening sockets {listening}, held {held}"
        assert len(workers) == 2, seen
        assert len(listening) == 2, f"one socket for each worker: {seen}"
        assert all(len(inodes) == 1 for inodes in held) and held[0] != held[1], seen
        # Both answer: each worker's socket is in service.
        answers = set()
        for _ in range(40):
            with httpx.Client(base_url=base_url, timeout=10) as client:  # a new connection each time
                answers.add(client.get("/__admin/health").status_code)
        assert answers == {200}


def test_a_port_already_taken_stops_the_start_with_a_clear_message(tmp_path: Path, capsys) -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        code = main(["--store", f"sqlite:///{tmp_path / 'store.db'}", "--workers", "2", "--port", str(port)])
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
