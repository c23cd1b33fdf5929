"""Benchmark: the OverIT 50-item batch with 1, 2 and 4 workers, on a SQLite file and on PostgreSQL.

Each configuration is one `mockserver --workers N --store URL` process, seeded through /__admin, loaded by
`load.py` (wrk when it is on PATH). Prints req/s, p50/p99 and non-2xx/errors. `side_by_side.py` prints the
same configurations (one tenant) each alternated with Prism.

    python bench/workers.py [--seconds 5] [--connections 16] [--workers 1 2 4] [--tenants 1 16]
                            [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

With one tenant every batch updates the same measuring element, whose lock serialises the batches; with
16 tenants (wrk only: each request picks the next tenant's token) batches on different elements overlap.

PostgreSQL figures need a server at --postgres-url (a fresh database is created there and dropped after);
without one they are skipped with the reason. The machine is shared: expect +-15%.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

from mockserver.store import StoreError
from mockserver.store.scratch import scratch_database

sys.path.insert(0, str(Path(__file__).parent))
from harness import running_mock, seed
from load import driver, load
from request_types import overit_batch, overit_fixture

TENANT = "bench"


def round_robin(tenants: int) -> tuple[tuple[str, str], ...]:
    """Each request names the next tenant's bearer token."""
    return tuple(("Authorization", f"Bearer {TENANT}-{number}") for number in range(1, tenants + 1))


@contextmanager
def postgres_database(server_url: str) -> Iterator[str | None]:
    """A fresh database on the server (dropped after), or None without a server."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_database(server_url, "amc_bench"))
        except StoreError as error:
            print(f"PostgreSQL skipped: {error}")
            url = None
        yield url


def shared_stores(folder: str, postgres_url: str | None) -> list[tuple[str, Callable[[int], str]]]:
    """The stores workers can share, each as a name and the store URL for N workers (a fresh SQLite file per N)."""
    stores: list[tuple[str, Callable[[int], str]]] = [
        ("sqlite-file", lambda n: f"sqlite:///{Path(folder) / f'bench-{n}.db'}")
    ]
    if postgres_url is not None:
        stores.append(("postgresql", lambda n: postgres_url))
    return stores


def every_worker_answers(port: int, attempts: int = 200) -> None:
    """Workers start one after another; fresh connections until each has had time to answer."""
    for _ in range(attempts):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/__admin/health", timeout=30):
            pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--tenants", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(
        f"OverIT valid 50-item batch, {args.connections} connections, {args.seconds} s per run, load from {driver()}, "
        f"{os.cpu_count()} cores, default settings (response validation and journal on)"
    )
    if not shutil.which("wrk"):
        args.tenants = [1]  # the built-in client sends one fixed request
    header = f"{'store':<12} {'workers':>7} {'tenants':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    print(f"{header} {'non-2xx':>8} {'errors':>7}")
    shape = overit_batch(TENANT)
    with tempfile.TemporaryDirectory() as folder, postgres_database(args.postgres_url) as postgres_url:
        for store_name, url_for in shared_stores(folder, postgres_url):
            for workers in args.workers:
                with running_mock("--store", url_for(workers), "--workers", str(workers)) as mock:
                    every_worker_answers(mock.port)
                    seed(mock.port, TENANT, overit_fixture())
                    for number in range(1, max(args.tenants) + 1):
                        seed(mock.port, f"{TENANT}-{number}", overit_fixture())
                    load(mock.port, shape, 2, args.connections)  # warm-up
                    for tenants in args.tenants:
                        turns = round_robin(tenants) if tenants > 1 else ()
                        run = load(mock.port, replace(shape, turns=turns), args.seconds, args.connections)
                        print(
                            f"{store_name:<12} {workers:>7} {tenants:>7} {run['rps']:>8.0f} {run['p50']:>8.2f} "
                            f"{run['p99']:>8.2f} {run['non2xx']:>8} {run['errors']:>7}"
                        )
                        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
