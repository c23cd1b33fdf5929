"""Benchmark: the validation proxy's overhead per exchange. The mock runs as a user starts it, the proxy as
`conformance proxy` (each its own process); the same requests go direct and through the proxy, alternating,
and the p50 of each and their difference are printed. Two kinds of exchange: a small read (Oracle's reading
collection) and a 50-measure OverIT batch (a body the proxy validates both ways).

    python bench/proxy_overhead.py [--requests 300]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from harness import free_port, running_mock

ORACLE = "/fscmRestApi/resources/11.13.18.05/meterReadings?limit=5"
BATCH = "/assets/r1/accounts/1001/measuring-elements/2101/measures/batch"


def running_proxy(mock_port: int, folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    targets = folder / "targets.yaml"
    origin = f"http://127.0.0.1:{mock_port}"
    targets.write_text(json.dumps({"apis": {"oracle": {"baseUrl": origin}, "overit": {"baseUrl": origin}}}))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "proxy", "--target", str(targets), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/nowhere")
            return process, port
        except httpx.TransportError:
            time.sleep(0.05)
    process.terminate()
    raise RuntimeError("the proxy did not start")


def timed(client: httpx.Client, send: object) -> float:
    started = time.perf_counter()
    response = send(client)  # type: ignore[operator]
    response.read()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="per kind and per path (direct, proxied)")
    args = parser.parse_args()
    measures = [{"id": 3101, "value": 4.2, "note": "bench"}] * 50
    kinds = {
        "oracle read": lambda base, c: c.get(base + ORACLE, auth=("bench-user", "pw")),
        "overit 50-measure batch": lambda base, c: c.patch(
            base + BATCH, json=measures, headers={"Authorization": "Bearer bench"}
        ),
    }
    with running_mock() as mock, tempfile.TemporaryDirectory() as folder:
        process, proxy_port = running_proxy(mock.port, Path(folder))
        try:
            direct, proxied = f"http://127.0.0.1:{mock.port}", f"http://127.0.0.1:{proxy_port}"
            print(f"{args.requests} exchanges per kind and path, alternating direct / proxied (shared machine)")
            with httpx.Client() as client:
                for name, send in kinds.items():
                    times: dict[str, list[float]] = {"direct": [], "proxied": []}
                    for _ in range(10):  # warm both paths: connections, caches, validators
                        send(direct, client), send(proxied, client)
                    for _ in range(args.requests):
                        times["direct"].append(timed(client, lambda c, s=send: s(direct, c)))
                        times["proxied"].append(timed(client, lambda c, s=send: s(proxied, c)))
                    p50 = {path: statistics.median(values) * 1000 for path, values in times.items()}
                    p90 = {path: statistics.quantiles(values, n=10)[8] * 1000 for path, values in times.items()}
                    print(
                        f"{name}: p50 direct {p50['direct']:.2f} ms, proxied {p50['proxied']:.2f} ms, "
                        f"overhead {p50['proxied'] - p50['direct']:.2f} ms ({p50['proxied'] / p50['direct']:.2f}x); "
                        f"p90 {p90['direct']:.2f} / {p90['proxied']:.2f} ms"
                    )
        finally:
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main()
