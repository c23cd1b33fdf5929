"""Benchmark: the mock's memory after 1,000 large exchanges, with the request journal on (its default bounds) and
off (`--journal 0`). Each exchange is an EnergyCAP import of readings for a channel that does not exist: about
100 KB in and 220 KB out, every reading answered with its error.

    python bench/journal_memory.py [--exchanges 1000] [--readings 2000]
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
from harness import running_mock

START = datetime(2026, 1, 1, tzinfo=UTC)


def memory_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def payload(readings: int) -> bytes:
    times = (START + timedelta(minutes=15 * i) for i in range(readings))
    group = {"channelId": 999999, "readings": [{"time": t.isoformat(), "value": 1.5} for t in times]}
    return json.dumps([group]).encode()


def run(options: list[str], exchanges: int, body: bytes) -> tuple[float, float, int, float]:
    with running_mock("--no-validate-responses", *options) as mock, httpx.Client(timeout=60) as http:
        url = f"http://127.0.0.1:{mock.port}/api/v3/reading"
        headers = {"Content-Type": "application/json", "ECI-ApiKey": "bench"}
        started = time.perf_counter()
        answered = 0
        for _ in range(exchanges):
            response = http.post(url, content=body, headers=headers)
            assert response.status_code == 200, response.text[:200]
            answered += len(response.content)
        elapsed = time.perf_counter() - started
        return memory_mb(mock.pid, "VmRSS"), memory_mb(mock.pid, "VmHWM"), answered // exchanges, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exchanges", type=int, default=1000)
    parser.add_argument("--readings", type=int, default=2000)
    args = parser.parse_args()
    body = payload(args.readings)
    for label, options in (("journal on (defaults)", []), ("journal off (--journal 0)", ["--journal", "0"])):
        rss, peak, answer, elapsed = run(options, args.exchanges, body)
        print(f"{label}: RSS {rss:.0f} MB (peak {peak:.0f} MB) after {args.exchanges:,} exchanges of "
              f"{len(body) / 1024:.0f} KB in, {answer / 1024:.0f} KB out ({elapsed:.1f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
