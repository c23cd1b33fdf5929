"""Benchmark: Oracle meter readings on `mockserver`, started as a user would start it.

Prints: POST throughput on one meter (sequential, since each reading must follow the last one), the GET
collection p50/p99 with 100,000 readings on one meter, and the time to disable the first of 10,000 readings
(which cancels and re-creates the 9,999 after it).

    python bench/oracle_readings.py [--posts 2000] [--gets 300]
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from harness import percentiles, running_mock, seed

BASE = "/fscmRestApi/resources/11.13.18.05/meterReadings"
START = datetime(2020, 1, 1, tzinfo=UTC)


def section(readings: int) -> dict:
    return {
        "oracle": {
            "assets": [{"assetId": 1, "assetNumber": "BENCH-1"}],
            "meterTemplates": [{"meterDefinitionId": 1, "meterCode": "HOURS", "readingType": "ORA_ABSOLUTE"}],
            "meters": [
                {
                    "meterId": 10,
                    "meterDefinitionId": 1,
                    "usageCode": "ORA_ASSET",
                    "assetId": 1,
                    "activeStartDate": "2019-01-01T00:00:00Z",
                },
            ],
            "readings": [
                {
                    "meterReadingId": 1 + n,
                    "meterId": 10,
                    "readingTypeCode": "ORA_ABSOLUTE",
                    "readingValue": n,
                    "readingDate": (START + timedelta(minutes=n)).isoformat(),
                }
                for n in range(readings)
            ],
        }
    }


def auth(user: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:x".encode()).decode()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--gets", type=int, default=300)
    args = parser.parse_args()
    with running_mock("--no-validate-responses") as mock:
        port, cold_start = mock.port, mock.cold_start
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        print(f"Oracle meter readings, one uvicorn worker, response validation off; cold start {cold_start:.2f} s")

        seed(port, "posts", section(1))
        latencies = []
        began = time.perf_counter()
        for n in range(args.posts):
            body = {"AssetId": 1, "MeterId": 10, "ReadingTypeCode": "ORA_ABSOLUTE", "ReadingValue": 10 + n,
                    "ReadingDate": (START + timedelta(days=1, seconds=n)).isoformat()}  # fmt: skip
            sent = time.perf_counter()
            response = client.post(BASE, json=body, headers=auth("posts"))
            latencies.append(time.perf_counter() - sent)
            assert response.status_code == 201, response.text
        elapsed = time.perf_counter() - began
        p50, p99 = percentiles(latencies)
        print(f"POST on one meter, sequential: {args.posts / elapsed:.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms")

        seconds = seed(port, "big", section(100_000))
        print(f"seeding 100,000 readings on one meter through /__admin/fixtures: {seconds:.1f} s")
        for label, params in (
            ("first page, default order", {}),
            ("one meter, newest first", {"q": "MeterId=10", "orderBy": "ReadingDate:desc"}),
            ("a date range", {"q": "MeterId=10 and ReadingDate >= '2020-02-01' and ReadingDate < '2020-02-02'"}),
            ("page 2,000 of 25", {"offset": 49_975}),
            ("with totalResults", {"q": "MeterId=10", "totalResults": "true"}),
        ):
            latencies = []
            for _ in range(args.gets):
                sent = time.perf_counter()
                response = client.get(BASE, params=params, headers=auth("big"))
                latencies.append(time.perf_counter() - sent)
                assert response.status_code == 200, response.text
            p50, p99 = percentiles(latencies)
            print(f"GET collection of 100,000, {label}: p50 {p50:.2f} ms, p99 {p99:.2f} ms")

        seed(port, "disable", section(10_000))
        began = time.perf_counter()
        response = client.patch(f"{BASE}/1", json={"DisabledFlag": True}, headers=auth("disable"))
        elapsed = time.perf_counter() - began
        assert response.status_code == 200, response.text
        print(f"PATCH disabling the first of 10,000 readings (9,999 re-created): {elapsed * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
