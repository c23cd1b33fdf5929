"""Several uvicorn workers serving one shared store (a SQLite file or PostgreSQL).

uvicorn starts each worker as a fresh process that imports the app by name, so the settings travel from
the `mockserver` command to the workers in an environment variable, and each worker builds its own app
with `create_app`. Everything that must agree across workers lives in the store; what a worker keeps in
memory (the request journal) is its own and says so.

Each worker listens on a socket of its own, all bound to the one port with SO_REUSEPORT, and the kernel spreads
new connections over them. On one socket shared by all, the worker that wakes first accepts every connection
waiting: a load test's 16 keep-alive connections opened at once went 14 to one worker and 2 to the other, and
the busier one's core capped the whole. uvicorn still supervises the workers (restarts, health checks, signals);
what it hands each of them in place of the shared socket becomes that worker's own socket there
(`_PortForEachWorker`). Where the platform has no SO_REUSEPORT, the workers share one socket as uvicorn binds it.
"""

from __future__ import annotations

import base64
import gc
import logging
import os
import pickle
import socket
import sys
from collections.abc import Callable
from typing import Any, cast

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from mockserver.app import MockApp, build_app
from mockserver.settings import Settings
from mockserver.store.engines import open_engine

SETTINGS_ENV = "MOCKSERVER_WORKER_SETTINGS"
FACTORY = "mockserver.workers:create_app"


def refusal(settings: Settings, workers: int) -> str | None:
    """Why ``workers`` workers cannot serve ``settings``' store, or None when they can."""
    if workers < 1:
        return "--workers must be at least 1"
    if workers > 1:
        opened = open_engine(settings.store_url)
        opened.engine.dispose()
        if not opened.shared:
            return (
                f"--workers {workers} needs a store the workers can share: the default store is private to one "
                "process. Use --store sqlite:///FILE or --store postgresql+psycopg://HOST/DB."
            )
    return None


def create_app() -> MockApp:
    """The app of one worker, built from the settings the `mockserver` command handed down."""
    encoded = os.environ.get(SETTINGS_ENV)
    # Written by `serve` below, in the parent process of this worker; never read from elsewhere.
    settings = pickle.loads(base64.b64decode(encoded)) if encoded else Settings()
    app = build_app(settings)
    gc.collect()
    gc.freeze()  # as the single-process command does: the app's long-lived objects leave the collector's walk
    return app


def serve(settings: Settings, *, host: str, port: int, workers: int, access_log: bool, options: dict[str, Any]) -> None:
    """``options``: the server settings a single process runs with too (parser, header bounds, log level).
    OSError when the port cannot be bound."""
    os.environ[SETTINGS_ENV] = base64.b64encode(pickle.dumps(settings)).decode()
    if not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(FACTORY, factory=True, host=host, port=port, workers=workers, access_log=access_log, **options)
        return
    config = uvicorn.Config(
        FACTORY, factory=True, host=host, port=port, workers=workers, access_log=access_log, **options
    )
    # Held (bound, never listening) while the workers run: the port is found taken here, before any worker starts,
    # and nobody outside SO_REUSEPORT can take it meanwhile. A socket that does not listen is handed no connection.
    with reuse_port_socket(host, port):
        Multiprocess(config, sockets=[cast(socket.socket, _PortForEachWorker(host, port))]).run()


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` beside the other workers' (SO_REUSEPORT); not listening yet."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class _PortForEachWorker:
    """Stands for the listening socket uvicorn's supervisor hands each worker it starts: pickled into the worker's
    process, it arrives there as a socket of that worker's own (`_socket_of_this_worker`)."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    def __reduce__(self) -> tuple[Callable[[str, int], socket.socket], tuple[str, int]]:
        return _socket_of_this_worker, (self.host, self.port)


def _socket_of_this_worker(host: str, port: int) -> socket.socket:
    try:
        return reuse_port_socket(host, port)
    except OSError as error:
        # uvicorn stops every worker and itself on this exit code, instead of starting this one again and again.
        logging.getLogger("uvicorn.error").error("a worker cannot listen on %s:%s: %s", host, port, error)
        sys.exit(STARTUP_FAILURE)
