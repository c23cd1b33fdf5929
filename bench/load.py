"""Load at a fixed concurrency against any HTTP server: `wrk -t1` with `request.lua` when wrk is on PATH
(Debian: `apt-get install wrk`), else a small keep-alive asyncio client. Both answer the same figures:
req/s, p50/p99 in ms, the count of 4xx/5xx answers and of socket errors."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import percentiles

SCRIPT = Path(__file__).with_name("request.lua")


@dataclass(frozen=True)
class Shape:
    """One request as the load sends it; with ``sequence``, those bodies in turn instead of ``body``; with
    ``turns``, one more header on each request in turn (name, value)."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    sequence: tuple[bytes, ...] = ()
    turns: tuple[tuple[str, str], ...] = ()


def driver() -> str:
    return "wrk -t1" if shutil.which("wrk") else "the built-in asyncio client (wrk is not on PATH)"


def load(port: int, shape: Shape, seconds: float, connections: int) -> dict:
    run = _wrk if shutil.which("wrk") else _asyncio
    return run(port, shape, seconds, connections)


def _wrk(port: int, shape: Shape, seconds: float, connections: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        environment = {
            **os.environ,
            "BENCH_METHOD": shape.method,
            "BENCH_HEADERS": "\n".join(f"{name}: {value}" for name, value in shape.headers.items()),
        }
        if shape.body:
            body = Path(folder) / "body"
            body.write_bytes(shape.body)
            environment["BENCH_BODY"] = str(body)
        if shape.sequence:
            sequence = Path(folder) / "sequence"
            sequence.write_bytes(b"\n".join(shape.sequence) + b"\n")
            environment["BENCH_SEQUENCE"] = str(sequence)
        if shape.turns:
            turns = Path(folder) / "turns"
            turns.write_text("".join(f"{name}: {value}\n" for name, value in shape.turns))
            environment["BENCH_TURNS"] = str(turns)
        command = [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            str(SCRIPT),
        ]
        output = subprocess.run(
            [*command, f"http://127.0.0.1:{port}{shape.path}"],
            capture_output=True,
            text=True,
            check=True,
            env=environment,
        ).stdout
    return json.loads(output.strip().splitlines()[-1])


async def _connection(port: int, requests: list[bytes], turn: list[int], stop: float, seen: list) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < stop:
        request = requests[turn[0] % len(requests)]
        turn[0] += 1
        sent = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")),
            0,
        )
        await reader.readexactly(length)
        seen.append((time.perf_counter() - sent, int(head[9:12])))
    writer.close()


def _asyncio(port: int, shape: Shape, seconds: float, connections: int) -> dict:
    if shape.turns:
        raise SystemExit("header turns need wrk (apt-get install wrk)")

    def raw(body: bytes) -> bytes:
        lines = [f"{shape.method} {shape.path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in shape.headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    requests = [raw(body) for body in shape.sequence] or [raw(shape.body)]
    seen: list[tuple[float, int]] = []

    async def main() -> float:
        started = time.perf_counter()
        stop, turn = started + seconds, [0]
        await asyncio.gather(*(_connection(port, requests, turn, stop, seen) for _ in range(connections)))
        return time.perf_counter() - started

    elapsed = asyncio.run(main())
    p50, p99 = percentiles([latency for latency, _ in seen])
    return {
        "rps": len(seen) / elapsed,
        "p50": p50,
        "p99": p99,
        "non2xx": sum(status >= 400 for _, status in seen),
        "errors": 0,
    }
