"""Benchmark: what a 'billion laughs' YAML fixture costs the mock now that it is refused. Posts the document
(ten levels of ten aliases, 10^10 nodes expanded) to `POST /__admin/fixtures` for a tenant and for everyone,
and prints the answer, its time and the mock's peak memory before and after.

    python bench/yaml_alias_bomb.py [--levels 10] [--width 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from energycap_readings import peak_memory_mb
from harness import running_mock


def billion_laughs(levels: int, width: int) -> str:
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    return "overit:\n" + "\n".join("  " + line for line in lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", type=int, default=10)
    parser.add_argument("--width", type=int, default=10)
    args = parser.parse_args()
    document = billion_laughs(args.levels, args.width)
    with running_mock() as mock:
        before = peak_memory_mb(mock.pid)
        for query in ("?tenant=bomb", ""):
            began = time.perf_counter()
            response = httpx.post(f"http://127.0.0.1:{mock.port}/__admin/fixtures{query}", content=document,
                                  headers={"Content-Type": "application/yaml"}, timeout=60)  # fmt: skip
            elapsed = (time.perf_counter() - began) * 1000
            print(f"POST /__admin/fixtures{query} ({len(document)} bytes, {args.width}^{args.levels} nodes expanded): "
                  f"{response.status_code} in {elapsed:.1f} ms: {response.json()['detail']}")  # fmt: skip
        print(f"mock peak memory: {before:.0f} MB after start, {peak_memory_mb(mock.pid):.0f} MB after both")
    return 0


if __name__ == "__main__":
    sys.exit(main())
