"""Benchmark: is the mock still answering everyone while one tenant's big import runs? One EnergyCAP import of
100,000 readings (over 100 channels) is posted while two probes poll in their own threads: `GET /__admin/health`
and another tenant's `GET /api/v3/channel/10001/reading`. Prints each probe's p50/p99/max during the import.

    python bench/loop_under_import.py [--channels 100] [--per-channel 1000] [--imports 3] [--store URL]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from energycap_readings import body, section
from harness import percentiles, running_mock, seed


def probe(url: str, headers: dict[str, str], stop: threading.Event, seconds: list[float]) -> None:
    with httpx.Client(timeout=60) as client:
        while not stop.is_set():
            began = time.perf_counter()
            response = client.get(url, headers=headers)
            seconds.append(time.perf_counter() - began)
            assert response.status_code == 200, response.text
            time.sleep(0.005)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--per-channel", type=int, default=1000)
    parser.add_argument("--imports", type=int, default=3, help="imports in a row, each into a fresh tenant")
    parser.add_argument("--store", default="sqlite://", help="the mock's --store (default in memory)")
    args = parser.parse_args()
    payload = body(args.channels, args.per_channel)
    with running_mock("--no-validate-responses", "--store", args.store) as mock:
        root = f"http://127.0.0.1:{mock.port}"
        httpx.get(f"{root}/api/v3/channel/10001/reading", headers={"ECI-ApiKey": "bystander"})  # seeded before
        probes = {
            "GET /__admin/health": (f"{root}/__admin/health", {}),
            "another tenant's GET /api/v3/channel/10001/reading": (
                f"{root}/api/v3/channel/10001/reading", {"ECI-ApiKey": "bystander"}),
        }  # fmt: skip
        timings: dict[str, list[float]] = {name: [] for name in probes}
        import_seconds = []
        for run in range(args.imports):
            tenant = f"bench-{run}"
            seed(mock.port, tenant, section(args.channels))
            stop = threading.Event()
            threads = [
                threading.Thread(target=probe, args=(url, headers, stop, timings[name]))
                for name, (url, headers) in probes.items()
            ]
            for thread in threads:
                thread.start()
            time.sleep(0.05)
            began = time.perf_counter()
            response = httpx.post(f"{root}/api/v3/reading", content=payload, timeout=300,
                                  headers={"Content-Type": "application/json", "ECI-ApiKey": tenant})  # fmt: skip
            import_seconds.append(time.perf_counter() - began)
            stop.set()
            for thread in threads:
                thread.join()
            assert response.status_code == 200, response.text[:300]
        total = args.channels * args.per_channel
        print(f"store {args.store}: {args.imports} imports of {total:,} readings ({len(payload) / 1e6:.1f} MB), "
              f"{min(import_seconds):.2f}-{max(import_seconds):.2f} s each, while probing:")  # fmt: skip
        for name, seconds in timings.items():
            p50, p99 = percentiles(seconds)
            worst = max(seconds) * 1000
            print(f"  {name}: {len(seconds)} requests, p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
