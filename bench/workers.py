"""Benchmark: the OverIT 50-item batch with 1, 2 and 4 workers, on a SQLite file and on PostgreSQL.

Each configuration is one `mockserver --workers N --store URL` process, seeded through /__admin, loaded by
`wrk` when it is on PATH (else a small asyncio client). Prints req/s, p50/p99 and non-2xx/errors.

    python bench/workers.py [--seconds 5] [--connections 16] [--workers 1 2 4] [--tenants 1 16]
                            [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

With one tenant every batch updates the same measuring element, whose lock serialises the batches; with
16 tenants (wrk only: each request picks the next tenant's token) batches on different elements overlap.

PostgreSQL figures need a server at --postgres-url (a fresh database is created there and dropped after);
without one they are skipped with the reason. The machine is shared: expect +-15%.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from mockserver.store import StoreError
from mockserver.store.scratch import scratch_database

sys.path.insert(0, str(Path(__file__).parent))
from harness import running_mock, seed
from overit_batch import _LUA as WRK_SCRIPT
from overit_batch import ELEMENT, TENANT, batch, fixture, load_with_asyncio, load_with_wrk

# Each request names the next tenant's bearer token, round robin (wrk's request hook, in the headers slot).
_ROUND_ROBIN = """
local tenants, next_one = %(tenants)d, 0
request = function()
  next_one = next_one %% tenants + 1
  return wrk.format(nil, nil, {["Content-Type"] = "application/json",
                               ["Authorization"] = "Bearer %(prefix)s-" .. next_one})
end
"""


def load_many_tenants(port: int, body: bytes, tenants: int, seconds: int, connections: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        body_file, script = Path(folder) / "body.json", Path(folder) / "load.lua"
        body_file.write_bytes(body)
        hook = _ROUND_ROBIN % {"tenants": tenants, "prefix": TENANT}
        script.write_text(WRK_SCRIPT % {"body": body_file, "headers": hook})
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script)]
        output = subprocess.run(
            [*command, f"http://127.0.0.1:{port}{ELEMENT}"], capture_output=True, text=True, check=True
        ).stdout
    return json.loads(output.strip().splitlines()[-1])


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
    load = load_with_wrk if shutil.which("wrk") else load_with_asyncio
    driver = "wrk -t1" if shutil.which("wrk") else "built-in asyncio client"
    print(
        f"OverIT valid 50-item batch, {args.connections} connections, {args.seconds} s per run, load from {driver}, "
        f"{os.cpu_count()} cores, default settings (response validation and journal on)"
    )
    if not shutil.which("wrk"):
        args.tenants = [1]  # the built-in client sends one fixed request
    header = f"{'store':<12} {'workers':>7} {'tenants':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    print(f"{header} {'non-2xx':>8} {'errors':>7}")
    body = batch(refused=False)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TENANT}"}
    with tempfile.TemporaryDirectory() as folder, postgres_database(args.postgres_url) as postgres_url:
        stores = [("sqlite-file", lambda n: f"sqlite:///{Path(folder) / f'bench-{n}.db'}")]
        if postgres_url is not None:
            stores.append(("postgresql", lambda n: postgres_url))
        for store_name, url_for in stores:
            for workers in args.workers:
                with running_mock("--store", url_for(workers), "--workers", str(workers)) as mock:
                    every_worker_answers(mock.port)
                    seed(mock.port, TENANT, fixture())
                    for number in range(1, max(args.tenants) + 1):
                        seed(mock.port, f"{TENANT}-{number}", fixture())
                    load(mock.port, body, headers, 2, args.connections)  # warm-up
                    for tenants in args.tenants:
                        if tenants == 1:
                            run = load(mock.port, body, headers, args.seconds, args.connections)
                        else:
                            run = load_many_tenants(mock.port, body, tenants, args.seconds, args.connections)
                        print(
                            f"{store_name:<12} {workers:>7} {tenants:>7} {run['rps']:>8.0f} {run['p50']:>8.2f} "
                            f"{run['p99']:>8.2f} {run['non2xx']:>8} {run['errors']:>7}"
                        )
                        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
