"""Benchmark: the OverIT measures batch served by `mockserver`, started as a user would start it.

Prints requests/s and p50/p99 latency for a valid 50-item batch, a refused batch and an unauthenticated
request, at a stated concurrency, with response validation on and off, the journal on and off, and the cold
start time. Load comes from `load.py` (wrk when it is on PATH). Prism's figures for the valid batch are in
`side_by_side.py`.

    python bench/overit_batch.py [--seconds 10] [--connections 16] [--repeat 3]

Each figure is the median of --repeat runs (min-max in brackets); the machine is shared, expect +-15%.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import running_mock, seed
from load import driver, load
from request_types import overit_batch, overit_fixture

TENANT = "bench"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"OverIT measures batch, one uvicorn worker, {args.connections} connections, {args.seconds} s per run, "
        f"load from {driver()}, {os.cpu_count()} cores"
    )
    header = f"{'validation, journal':<20} {'request':<24} {'req/s (min-max)':>22}"
    print(f"{header} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    cases = [
        ("valid 50-item batch", overit_batch(TENANT)),
        ("refused 50-item batch", overit_batch(TENANT, refused=True)),
        ("unauthenticated", overit_batch(None)),
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
            seed(port, TENANT, overit_fixture())
            runs: dict[str, list[dict]] = {name: [] for name, _ in cases}
            for _name, shape in cases:
                load(port, shape, 2, args.connections)  # warm-up
            for _ in range(args.repeat):  # interleaved, so a noisy moment spreads over every case
                for name, shape in cases:
                    runs[name].append(load(port, shape, args.seconds, args.connections))
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
