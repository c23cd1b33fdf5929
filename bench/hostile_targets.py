"""Benchmark: `conformance run` against each mode of the hostile test server (tests/conformance/hostile_server.py),
as a user runs it (a subprocess): the run's wall time, its exit code and its peak memory (RSS).

    python bench/hostile_targets.py [--budget 15] [--timeout 2] [--mode drip ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.conformance.hostile_server import MODES, hostile_server  # noqa: E402

PROBE_MODES = {"drip-headers", "garbage"}  # these misbehave on the reachability probe too (all-<mode>)


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """Wall seconds, exit code and peak RSS (MB) of one run."""
    began = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - began
    return seconds, os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budget", default="15")
    parser.add_argument("--timeout", default="2")
    parser.add_argument("--mode", action="append", choices=sorted(MODES))
    args = parser.parse_args()
    env = {**os.environ, "BENCH_KEY": "Hostile-Bench-Key-7"}
    print(f"conformance run --api tesma --timeout {args.timeout} --budget {args.budget} --max-examples 5 "
          f"--max-rps 5 (schema checks and scenarios, read-only), python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores")  # fmt: skip
    print(f"{'mode':<16} {'seconds':>8} {'exit':>5} {'peak RSS MB':>12}")
    with hostile_server() as server, tempfile.TemporaryDirectory() as directory:
        assert server.bomb  # built before any run is timed
        for mode in args.mode or sorted(MODES):
            name = f"all-{mode}" if mode in PROBE_MODES else mode
            targets = Path(directory) / "targets.yaml"
            entry = {"baseUrl": server.url(name), "credential": "${BENCH_KEY}",
                     "objects": {"group": "ACME", "assets": [111, 222, 444]}}  # fmt: skip
            targets.write_text(json.dumps({"apis": {"tesma": entry}}))
            command = [sys.executable, "-m", "conformance.cli", "run", "--target", str(targets), "--api", "tesma",
                       "--timeout", args.timeout, "--budget", args.budget, "--max-examples", "5", "--max-rps", "5",
                       "--json", str(Path(directory) / "report.json")]  # fmt: skip
            seconds, code, rss = measure(command, env)
            print(f"{name:<16} {seconds:>8.1f} {code:>5} {rss:>12.0f}", flush=True)


if __name__ == "__main__":
    main()
