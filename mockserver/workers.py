"""Several uvicorn workers serving one shared store (a SQLite file or PostgreSQL).

uvicorn starts each worker as a fresh process that imports the app by name, so the settings travel from
the `mockserver` command to the workers in an environment variable, and each worker builds its own app
with `create_app`. Everything that must agree across workers lives in the store; what a worker keeps in
memory (the request journal) is its own and says so.
"""

from __future__ import annotations

import base64
import gc
import os
import pickle
from typing import Any

import uvicorn

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
    """``options``: the server settings a single process runs with too (parser, header bounds, log level)."""
    os.environ[SETTINGS_ENV] = base64.b64encode(pickle.dumps(settings)).decode()
    uvicorn.run(FACTORY, factory=True, host=host, port=port, workers=workers, access_log=access_log, **options)
