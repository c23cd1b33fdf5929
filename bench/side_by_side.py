"""Benchmark: our mock side by side with Stoplight Prism on the same contracts, in one run.

For each request type (`request_types.py`), our mock (one process, default settings: response validation and
the journal on) and Prism take turns: a warm-up each, then --repeat runs of --seconds each, alternating, so
a noisy moment of the shared machine falls on both. Then the OverIT batch on `mockserver --workers 1/2/4`
over a SQLite file and over PostgreSQL, each alternated with Prism the same way.

    python bench/side_by_side.py [--only oracle-get ...] [--seconds 5] [--repeat 3] [--connections 16]
                                 [--workers 1 2 4] [--no-workers]
                                 [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

req/s is the median of the runs; p50/p99 the median of the runs' percentiles (ms); "bad" sums 4xx/5xx
answers and socket errors over every run, and must be 0: every request sent is valid, for both servers.
Prism is installed into .cache/prism from the npm registry on first use; without npm its columns are empty.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import running_mock, seed
from load import Shape, driver, load
from prism import installed, running_prism
from request_types import BY_NAME, REQUEST_TYPES, RequestType
from workers import every_worker_answers, postgres_database, shared_stores

Runner = Callable[[int], dict]


def alternate(contenders: dict[str, Runner], repeat: int) -> dict[str, list[dict]]:
    """Warm each up (run 0), then ``repeat`` rounds in which each contender runs once, in turn."""
    for runner in contenders.values():
        runner(0)
    runs: dict[str, list[dict]] = {name: [] for name in contenders}
    for round_number in range(1, repeat + 1):
        for name, runner in contenders.items():
            runs[name].append(runner(round_number))
    return runs


def summary(runs: list[dict]) -> dict:
    return {
        "rps": statistics.median(run["rps"] for run in runs),
        "p50": statistics.median(run["p50"] for run in runs),
        "p99": statistics.median(run["p99"] for run in runs),
        "bad": sum(run["non2xx"] + run["errors"] for run in runs),
    }


def _cells(figures: dict | None) -> str:
    if figures is None:
        return f"{'-':>8} {'-':>13} {'-':>5}"
    latency = f"{figures['p50']:.1f}/{figures['p99']:.1f}"
    return f"{figures['rps']:>8.0f} {latency:>13} {figures['bad']:>5}"


def _ratio(ours: dict, prisms: dict | None) -> str:
    return f"{ours['rps'] / prisms['rps']:>6.2f}" if prisms else f"{'-':>6}"


HEADER = f"{'req/s':>8} {'p50/p99 ms':>13} {'bad':>5}"


def print_row(label: str, ours: dict, prisms: dict | None, width: int) -> None:
    print(f"{label:<{width}} {_cells(ours)}  {_cells(prisms)} {_ratio(ours, prisms)}", flush=True)


def runner(port: int, shape_of: Callable[[int], Shape], seconds: float, connections: int) -> Runner:
    return lambda run: load(port, shape_of(run), seconds, connections)


def request_table(types: list[RequestType], prism: Path | None, args: argparse.Namespace) -> None:
    width = max(len(request.title) for request in types)
    print(f"{'one process each':<{width}} {'ours':^28}  {'Prism':^28} {'ratio':>6}")
    print(f"{'request':<{width}} {HEADER}  {HEADER} {'':>6}", flush=True)
    with running_mock() as mock:
        for request in types:
            seed(mock.port, request.tenant, request.fixture)
            with ExitStack() as stack:
                contenders = {"ours": runner(mock.port, request.ours, args.seconds, args.connections)}
                if prism is not None:
                    probe = request.prisms(0).path
                    port = stack.enter_context(running_prism(prism, request.spec, probe))
                    contenders["prism"] = runner(port, request.prisms, args.seconds, args.connections)
                runs = alternate(contenders, args.repeat)
            prisms = summary(runs["prism"]) if "prism" in runs else None
            print_row(request.title, summary(runs["ours"]), prisms, width)


def workers_table(prism: Path | None, args: argparse.Namespace) -> None:
    request = BY_NAME["overit-batch"]
    label_width = 24
    print()
    print(f"{request.title}, `mockserver --workers N`, each alternated with one Prism process")
    print(f"{'store, workers':<{label_width}} {'ours':^28}  {'Prism':^28} {'ratio':>6}")
    print(f"{'':<{label_width}} {HEADER}  {HEADER} {'':>6}", flush=True)
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        postgres = stack.enter_context(postgres_database(args.postgres_url))
        prism_port = None
        if prism is not None:
            prism_port = stack.enter_context(running_prism(prism, request.spec, request.prisms(0).path))
        for store, url_for in shared_stores(folder, postgres):
            for workers in args.workers:
                with running_mock("--store", url_for(workers), "--workers", str(workers)) as mock:
                    every_worker_answers(mock.port)
                    seed(mock.port, request.tenant, request.fixture)
                    contenders = {"ours": runner(mock.port, request.ours, args.seconds, args.connections)}
                    if prism_port is not None:
                        contenders["prism"] = runner(prism_port, request.prisms, args.seconds, args.connections)
                    runs = alternate(contenders, args.repeat)
                prisms = summary(runs["prism"]) if "prism" in runs else None
                print_row(f"{store}, {workers}", summary(runs["ours"]), prisms, label_width)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=list(BY_NAME), help="these request types only")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--no-workers", action="store_true", help="leave the workers table out")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    prism, about_prism = installed()
    print(
        f"Side by side: {args.connections} connections, {args.repeat} x {args.seconds:g} s per server alternating "
        f"(after a warm-up), load from {driver()}, {os.cpu_count()} cores shared with the load; {about_prism}."
    )
    print("ratio = our req/s / Prism's; bad = 4xx/5xx answers + socket errors over all runs (must be 0).\n")
    types = [BY_NAME[name] for name in args.only] if args.only else list(REQUEST_TYPES)
    request_table(types, prism, args)
    if not args.no_workers and (args.only is None or "overit-batch" in args.only):
        workers_table(prism, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
