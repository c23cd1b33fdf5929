"""Benchmark: tesma bulk patch of 10,000 assets through `mockserver` started as a user would start it:
the time to accept the PATCH (validation, the job and its items stored), the mock's peak memory, and the
job's processing rate at full pace (`--job-pace 0`: the first poll after the start runs the whole job).

    python bench/tesma_bulk_patch.py [--assets 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from energycap_readings import peak_memory_mb
from harness import running_mock, seed


def section(assets: int) -> dict:
    return {
        "tesma": {
            "corporateGroups": [{"name": "BENCH", "customerSpecificFields": ["Employee name"]}],
            "assets": [
                {"assetId": n, "corporateGroup": "BENCH", "serialNumber": f"SN-{n}"} for n in range(1, assets + 1)
            ],
        }
    }


def body(assets: int, run: int) -> list[dict]:
    return [
        {"assetId": n, "serialNumber": f"R{run}-{n}", "location": "Hall 7, rack 12", "costCenter": "70998",
         "customerSpecificFields": {"Employee name": "Hans Peter"}}
        for n in range(1, assets + 1)
    ]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    accepts, rates = [], []
    with running_mock("--no-validate-responses", "--job-pace", "0", "--job-start-delay", "0") as mock:
        seed(mock.port, "bench", section(args.assets))
        headers = {"X-API-KEY": "bench", "CorporateGroup-Name": "BENCH"}
        with httpx.Client(base_url=f"http://127.0.0.1:{mock.port}/v1", headers=headers, timeout=120) as http:
            for run in range(args.runs):
                began = time.perf_counter()
                accepted = http.patch("/leases/assets", json=body(args.assets, run))
                accepts.append(time.perf_counter() - began)
                assert accepted.status_code == 202, accepted.text
                began = time.perf_counter()
                job = http.get(f"/leases/assets/bulkpatches/{accepted.json()['id']}").json()
                elapsed = time.perf_counter() - began
                assert job["status"] == "successful" and job["assetsSuccessfullyUpdated"] == args.assets, job
                rates.append(args.assets / elapsed)
        memory = peak_memory_mb(mock.pid)
    print(
        f"tesma: accept a {args.assets:,}-asset PATCH: median {statistics.median(accepts):.2f} s "
        f"(min {min(accepts):.2f}, max {max(accepts):.2f}) over {args.runs} runs; mock peak memory {memory:.0f} MB"
    )
    print(f"tesma: job processing at full pace: median {statistics.median(rates):,.0f} assets/s "
          f"(min {min(rates):,.0f}, max {max(rates):,.0f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
