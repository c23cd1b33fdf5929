"""`mockserver`: serve every vendor API and the admin API on one port."""

from __future__ import annotations

import argparse
import gc
import ipaddress
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import uvicorn

from mockserver import __version__, workers
from mockserver.app import build_app
from mockserver.errors import FixtureError
from mockserver.fixtures import DEMO
from mockserver.job_pace import JobPace
from mockserver.settings import LIMITS, Limits, Settings
from mockserver.store import StoreError

ADMIN_TOKEN_VARIABLE = "MOCKSERVER_ADMIN_TOKEN"


def exposure_warning(host: str, admin_token: str | None) -> str | None:
    """A warning when the admin API is open to anyone who can reach a non-loopback address."""
    if admin_token:
        return None
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        loopback = False
    if loopback:
        return None
    return (
        f"mockserver: WARNING: listening on {host} with no admin token: anyone who reaches this port can read the "
        f"request journal, load credentials, move the clock and reset every tenant through /__admin. "
        f"Set --admin-token (or ${ADMIN_TOKEN_VARIABLE}), or listen on 127.0.0.1."
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="mockserver", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--store",
        default="sqlite://",
        help="SQLAlchemy URL; default a private file removed at exit, e.g. sqlite:///state.db to persist",
    )
    parser.add_argument("--fixtures", type=Path, default=DEMO, help="the dataset new tenants start from")
    parser.add_argument(
        "--auth",
        choices=("open", "strict"),
        default="open",
        help="open: any well-formed credential names its own tenant; strict: only those the fixtures list",
    )
    parser.add_argument(
        "--validate-responses",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="check every response against the contract before sending it (default on)",
    )
    parser.add_argument(
        "--job-pace",
        type=float,
        default=JobPace.per_second,
        help="items per second an asynchronous job (tesma bulk patch) handles; 0 for no limit (default %(default)s)",
    )
    parser.add_argument(
        "--job-start-delay",
        type=float,
        default=JobPace.start_delay.total_seconds(),
        help="seconds between a job's creation and its start (default %(default)s)",
    )
    parser.add_argument(
        "--journal",
        type=int,
        default=1000,
        metavar="N",
        help="keep the last N requests for GET /__admin/requests; 0 turns the journal off (default %(default)s)",
    )
    parser.add_argument(
        "--journal-mb",
        type=float,
        default=32,
        help="MiB the journal's entries may hold together, the oldest dropped first (default %(default)s)",
    )
    parser.add_argument(
        "--max-body-mb",
        type=float,
        default=64,
        help="refuse request bodies above this many MiB with 413, before reading them; 0 for no limit (default 64)",
    )
    parser.add_argument(
        "--admin-token",
        default=os.environ.get(ADMIN_TOKEN_VARIABLE) or None,
        help=f"require 'Authorization: Bearer <token>' on /__admin (but /__admin/health and the docs); "
        f"default ${ADMIN_TOKEN_VARIABLE}, unset: the admin API is open",
    )
    parser.add_argument(
        "--cors-origins",
        default="*",
        metavar="ORIGINS",
        help="comma-separated origins a browser app may call the mock from; '*' any (default), '' none",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request (slower)")
    parser.add_argument(
        "--http",
        choices=tuple(HTTP_PARSERS),
        default="httptools",
        help="the HTTP/1.1 parser; both bound the request head (default %(default)s, the faster)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="serve with N processes sharing the store (a SQLite file or PostgreSQL; not memory) (default 1)",
    )
    return parser.parse_args(argv)


HTTP_PARSERS = {"httptools": "mockserver.http_protocol:BoundedHeadHttpTools", "h11": "h11"}

GRACEFUL_SHUTDOWN_SECONDS = 3


def server_options(limits: Limits = LIMITS, http: str = "httptools") -> dict[str, Any]:
    """uvicorn as the mock runs it. Both parsers refuse a request head that arrives in pieces past
    `max_header_bytes` before any header reaches the app: h11 by its own buffer bound (400), httptools through
    `http_protocol.py`, which reads the same uvicorn setting (431). By name, so that workers can import it.

    A stop waits for answers in flight a few seconds at most: a console left open keeps a journal stream open for
    as long as its tab lives, and would otherwise hold the process up after Ctrl-C."""
    return {
        "http": HTTP_PARSERS[http],
        "h11_max_incomplete_event_size": limits.max_header_bytes,
        "log_level": "warning",
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
    }


def server_config(app: Any, host: str, port: int, **options: Any) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, **{**server_options(), **options})


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings(
        store_url=args.store,
        fixtures=args.fixtures,
        auth_mode=args.auth,
        validate_responses=args.validate_responses,
        job_pace=JobPace(args.job_pace, timedelta(seconds=args.job_start_delay)),
        journal_size=max(args.journal, 0),
        journal_max_bytes=int(max(args.journal_mb, 0) * 1024 * 1024),
        max_body_bytes=int(max(args.max_body_mb, 0) * 1024 * 1024),
        admin_token=args.admin_token or None,
        cors_origins=tuple(origin.strip() for origin in args.cors_origins.split(",") if origin.strip()),
    )
    # Several workers: checked before anything is built, so a store they cannot share never starts.
    try:
        refused = workers.refusal(settings, args.workers)
    except StoreError as error:
        refused = str(error)
    if refused:
        print(f"mockserver: cannot start: {refused}", file=sys.stderr)
        return 2
    try:
        app = build_app(settings)
    except (FixtureError, OSError, StoreError) as error:
        print(f"mockserver: cannot start: {error}", file=sys.stderr)
        return 2
    # Everything built so far (specs, compiled schemas, connexion's routes) lives as long as the process;
    # frozen, the collector stops re-walking it, which removes most of the long pauses under load.
    gc.collect()
    gc.freeze()
    # A worker thread running a long import hands the interpreter back every millisecond (5 by default), so the
    # event loop answers everyone else meanwhile.
    sys.setswitchinterval(0.001)
    root = f"http://{args.host}:{args.port}"
    print(f"mockserver on {root} (store {args.store}, auth {args.auth}, fixtures {args.fixtures.name})")
    for api in app.mounted:
        print(f"  {api['id']:<10} {root}{api['basePath']:<40} Swagger UI {root}{api['docs']}")
    print(f"  {'admin':<10} {root}/__admin{'':<32} Swagger UI {root}/__admin/ui/")
    if args.auth == "open":
        print("auth open: any well-formed credential is accepted and names its own tenant, seeded with the demo data")
    else:
        listed = "; ".join(
            f"{api.id}: {', '.join(api.fixtures.credentials(app.runtime.tenants.dataset[api.id]))}"
            for api in app.runtime.apis
            if api.id in app.runtime.tenants.dataset
        )
        print(f"auth strict: only the credentials the fixtures list are accepted ({listed})")
    if args.admin_token:
        print("admin API: needs 'Authorization: Bearer <admin token>' (but /__admin/health and the docs)")
    sys.stdout.flush()
    warning = exposure_warning(args.host, args.admin_token)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    options = server_options(settings.limits, args.http)
    if args.workers > 1:
        # This process checked the settings and prepared the store; each worker builds its own app.
        app.runtime.store.dispose()
        print(f"{args.workers} workers share the store; each keeps its own request journal")
        sys.stdout.flush()
        try:
            workers.serve(settings, host=args.host, port=args.port, workers=args.workers, access_log=args.access_log,
                          options=options)  # fmt: skip
        except OSError as error:
            print(f"mockserver: cannot start: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
            return 2
        return 0
    uvicorn.run(app, host=args.host, port=args.port, **options, access_log=args.access_log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
