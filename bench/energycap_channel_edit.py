"""Benchmark: EnergyCAP channel-version edits (PUT) and channel reads (GET), sequential, through `mockserver`
started as a user would start it. The channel has 12 versions, 5 UDFs and 100,000 readings, so the answer's
first/last reading dates and the version chain are read from a realistic channel.

    python bench/energycap_channel_edit.py [--requests 2000] [--readings 100000]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from harness import percentiles, running_mock, seed

VERSIONS = 12
START = datetime(2014, 1, 1, tzinfo=UTC)
TEXT = {"dataTypeId": 1, "dataTypeCode": "Text", "dataTypeInfo": "Text"}


def begin_of(n: int) -> datetime:
    return START + timedelta(days=365 * (n - 1))


def section(readings: int) -> dict:
    versions = [
        {"versionId": n, "beginDate": begin_of(n).isoformat(), "unitCode": "kWh", "multiplier": 1,
         "maximumReading": 0, "observationRule": "Trip", "udfs": [{"udfId": 1, "value": f"v{n}"}],
         **({"endDate": begin_of(n + 1).isoformat()} if n < VERSIONS else {})}
        for n in range(1, VERSIONS + 1)
    ]  # fmt: skip
    return {
        "energycap": {
            "units": [{"unitId": 1, "unitCode": "kWh"}, {"unitId": 2, "unitCode": "MWh"}],
            "udfs": [{"udfId": n, "name": f"UDF {n}", "dataType": TEXT} for n in range(1, 6)],
            "meters": [{"meterId": 1, "meterImportId": "BENCH"}],
            "channels": [{"channelId": 1, "meterId": 1, "intervalSeconds": 900, "observationTypeCode": "Energy",
                          "versions": versions}],
            "readings": [
                {"channelId": 1, "time": (begin_of(VERSIONS) + timedelta(minutes=15 * i)).isoformat(), "value": 1.0}
                for i in range(readings)
            ],
        }
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--readings", type=int, default=100_000)
    args = parser.parse_args()
    middle = VERSIONS // 2
    with running_mock("--no-validate-responses") as mock:
        seed(mock.port, "bench", section(args.readings))
        headers = {"ECI-ApiKey": "bench"}
        channel = "/api/v202101/meter/1/channel/1"
        with httpx.Client(base_url=f"http://127.0.0.1:{mock.port}", headers=headers) as http:
            edits, reads = [], []
            for i in range(args.requests):
                # Move the middle version's beginDate back and forth by a day, so every edit also moves its neighbour.
                body = {"beginDate": (begin_of(middle) + timedelta(days=i % 2)).isoformat(), "maximumReading": 0,
                        "multiplier": 1 + i % 3, "observationRule": "Trip", "unitCode": ("kWh", "MWh")[i % 2],
                        "udfs": [{"udfId": 1 + i % 5, "value": f"edit {i}"}]}  # fmt: skip
                began = time.perf_counter()
                response = http.put(f"{channel}/version/{middle}", json=body)
                edits.append(time.perf_counter() - began)
                assert response.status_code == 200, response.text
                began = time.perf_counter()
                response = http.get(channel)
                reads.append(time.perf_counter() - began)
                assert response.status_code == 200 and response.json()["hasReadings"], response.text
    for name, timings in (("PUT version (edit, answer the channel)", edits), ("GET channel", reads)):
        p50, p99 = percentiles(timings)
        print(f"EnergyCAP {name}: {len(timings)} sequential requests, p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
              f"{len(timings) / sum(timings):.0f} req/s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
