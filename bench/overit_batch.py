"""Benchmark: the OverIT measures batch served by `mockserver`, started as a user would start it.

Prints requests/s and p50/p99 latency for a valid 50-item batch, a refused batch and an unauthenticated
request, at a stated concurrency, with response validation on and off, the journal on and off, and the cold
start time.
Load comes from `wrk` when it is on PATH (as in the peer figures), else from a small asyncio client.

    python bench/overit_batch.py [--seconds 10] [--connections 16] [--repeat 3]

Each figure is the median of --repeat runs (min-max in brackets); the machine is shared, expect +-15%.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import percentiles, running_mock, seed

ELEMENT = "/assets/r1/accounts/1/measuring-elements/10/measures/batch"
TENANT = "bench"


def fixture() -> dict:
    measures = [{"id": 1000 + n, "status": "TO_VALIDATE", "measuringDate": "2026-11-10T00:00:00Z"} for n in range(50)]
    measures.append({"id": 999, "status": "VALIDATED", "measuringDate": "2026-11-01T00:00:00Z", "value": 1})
    return {
        "overit": {
            "characteristics": [{"id": 1, "kind": "plain"}],
            "accounts": [{"id": 1, "measuringElements": [{"id": 10, "characteristicId": 1, "measures": measures}]}],
        }
    }


def batch(refused: bool) -> bytes:
    items = [
        {
            "id": 1000 + n,
            "measuringUserId": 77,
            "measuringDate": "2026-11-20T08:30:00Z",
            "value": 4.2 + n,
            "note": "Pressure checked after repair",
        }
        for n in range(50)
    ]
    if refused:
        items[-1]["id"] = 999  # a validated measure: the whole batch is refused
    return json.dumps(items).encode()


# -- load: wrk ------------------------------------------------------------------------------------

_LUA = """
wrk.method = "PATCH"
wrk.body = io.open("%(body)s", "rb"):read("*a")
%(headers)s
done = function(summary, latency, requests)
  io.write(string.format('{"rps": %%f, "p50": %%f, "p99": %%f, "non2xx": %%d, "errors": %%d}\\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def load_with_wrk(port: int, body: bytes, headers: dict, seconds: int, connections: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        body_file, script = Path(folder) / "body.json", Path(folder) / "load.lua"
        body_file.write_bytes(body)
        lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
        script.write_text(_LUA % {"body": body_file, "headers": lines})
        output = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}{ELEMENT}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return json.loads(output.strip().splitlines()[-1])


# -- load: a small keep-alive asyncio client, when wrk is missing ---------------------------------------


async def _worker(port: int, request: bytes, stop: float, latencies: list[float], statuses: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.perf_counter() < stop:
        sent = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        )
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - sent)
        statuses.append(int(head[9:12]))
    writer.close()


def load_with_asyncio(port: int, body: bytes, headers: dict, seconds: int, connections: int) -> dict:
    lines = [f"PATCH {ELEMENT} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    latencies: list[float] = []
    statuses: list[int] = []

    async def main() -> float:
        started = time.perf_counter()
        stop = started + seconds
        await asyncio.gather(*(_worker(port, request, stop, latencies, statuses) for _ in range(connections)))
        return time.perf_counter() - started

    elapsed = asyncio.run(main())
    p50, p99 = percentiles(latencies)
    return {
        "rps": len(latencies) / elapsed,
        "p50": p50,
        "p99": p99,
        "non2xx": sum(not 200 <= s < 300 for s in statuses),
        "errors": 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    load = load_with_wrk if shutil.which("wrk") else load_with_asyncio
    driver = "wrk -t1" if shutil.which("wrk") else "built-in asyncio client"
    print(
        f"OverIT measures batch, one uvicorn worker, {args.connections} connections, {args.seconds} s per run, "
        f"load from {driver}, {os.cpu_count()} cores"
    )
    header = f"{'validation, journal':<20} {'request':<24} {'req/s (min-max)':>22}"
    print(f"{header} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    json_headers = {"Content-Type": "application/json"}
    cases = [
        ("valid 50-item batch", batch(refused=False), {**json_headers, "Authorization": f"Bearer {TENANT}"}),
        ("refused 50-item batch", batch(refused=True), {**json_headers, "Authorization": f"Bearer {TENANT}"}),
        ("unauthenticated", batch(refused=False), json_headers),
    ]
    # The journal (on by default) is measured by the last configuration, which turns it off.
    configurations = [
        ("on, on", ["--validate-responses"]),
        ("off, on", ["--no-validate-responses"]),
        ("off, off", ["--no-validate-responses", "--journal", "0"]),
    ]
    for mode, options in configurations:
        with running_mock(*options) as mock:
            port = mock.port
            seed(port, TENANT, fixture())
            runs: dict[str, list[dict]] = {name: [] for name, _, _ in cases}
            for _name, body, headers in cases:
                load(port, body, headers, 2, args.connections)  # warm-up
            for _ in range(args.repeat):  # interleaved, so a noisy moment spreads over every case
                for name, body, headers in cases:
                    runs[name].append(load(port, body, headers, args.seconds, args.connections))
            for name, figures in runs.items():
                rps = sorted(run["rps"] for run in figures)
                spread = f"{statistics.median(rps):.0f} ({rps[0]:.0f}-{rps[-1]:.0f})"
                p50 = statistics.median(run["p50"] for run in figures)
                p99 = statistics.median(run["p99"] for run in figures)
                non2xx = sum(run["non2xx"] for run in figures)
                print(f"{mode:<20} {name:<24} {spread:>22} {p50:>8.2f} {p99:>8.2f} {non2xx:>8}")
        print(f"{'':<20} cold start to first answer: {mock.cold_start:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
