"""Benchmark: one EnergyCAP readings import of 100,000 readings spread over 100 channels, end to end
through `mockserver` started as a user would start it, and the mock's peak memory.

    python bench/energycap_readings.py [--channels 100] [--per-channel 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from harness import running_mock, seed
from request_types import energycap_fixture

START = datetime(2026, 1, 1, tzinfo=UTC)


def body(channels: int, per_channel: int) -> bytes:
    groups = [
        {"channelId": n, "readings": [
            {"time": (START + timedelta(minutes=15 * i)).isoformat(), "value": float(i % 97)}
            for i in range(per_channel)
        ]}
        for n in range(1, channels + 1)
    ]  # fmt: skip
    return json.dumps(groups).encode()


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--per-channel", type=int, default=1000)
    args = parser.parse_args()
    payload = body(args.channels, args.per_channel)
    total = args.channels * args.per_channel
    with running_mock("--no-validate-responses") as mock:
        port, pid = mock.port, mock.pid
        seed(port, "bench", energycap_fixture(args.channels))
        before = peak_memory_mb(pid)
        began = time.perf_counter()
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/v3/reading",
            content=payload,
            headers={"Content-Type": "application/json", "ECI-ApiKey": "bench"},
            timeout=300,
        )
        elapsed = time.perf_counter() - began
        outcome = response.json()
        assert response.status_code == 200 and outcome["importedReadingsCount"] == total, outcome
        print(f"EnergyCAP: one POST of {total:,} readings over {args.channels} channels ({len(payload) / 1e6:.1f} MB): "
              f"{elapsed:.2f} s end to end; mock peak memory {peak_memory_mb(pid):.0f} MB "
              f"(after start and seeding {before:.0f} MB)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
