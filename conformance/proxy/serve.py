"""`conformance proxy`: serve the proxy until Ctrl-C or SIGTERM, then write the same reports as a run.

It refuses to start without a targets file naming each API's origin: it forwards only to those, never to
wherever a request asks (no open proxy)."""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import httpx
import uvicorn

from conformance import masking, recording
from conformance.contracts import load_contracts
from conformance.findings import NothingChecked, UsageError
from conformance.html_report import write_html
from conformance.junit_report import write_junit
from conformance.proxy.app import CHECK_LIMIT, ProxyApp
from conformance.proxy.observer import Observer
from conformance.proxy.routing import Router
from conformance.report import print_summary, write_json
from conformance.run_info import tool_version
from conformance.targets import TargetsError, load_targets
from conformance.verdicts import exit_code

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class ProxySettings:
    target: Path
    host: str = "127.0.0.1"
    port: int = 8090
    apis: list[str] | None = None
    record: Path | None = None
    strict: bool = False
    timeout: float = 10.0
    check_limit: int = CHECK_LIMIT
    reports: dict[str, Path | None] = field(default_factory=dict)


def router_for(settings: ProxySettings) -> Router:
    contracts = load_contracts()
    try:
        targets = load_targets(settings.target, sorted(contracts), only=settings.apis)
    except TargetsError as error:
        raise UsageError(str(error)) from None
    if not targets:
        raise UsageError(f"{settings.target} names no origin: the proxy forwards only to the origins it names")
    for entry in targets.values():
        if not entry.base_url.startswith(("http://", "https://")):
            raise UsageError(f"{settings.target}: baseUrl {entry.base_url!r} is not an http(s) origin")
        masking.register(entry.credential)
    return Router(contracts, {api: entry.base_url for api, entry in targets.items()})


class _Server(uvicorn.Server):
    """uvicorn, except that the signal which stops the proxy is its normal end, not re-raised afterwards."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def build(settings: ProxySettings, out: TextIO) -> tuple[ProxyApp, Observer]:
    router = router_for(settings)
    writer = recording.Writer(settings.record) if settings.record else None
    observer = Observer(router, out, writer, strict=settings.strict)
    client = httpx.AsyncClient(timeout=settings.timeout, follow_redirects=False, trust_env=True)
    return ProxyApp(router, observer.observe, client, settings.check_limit), observer


def serve(settings: ProxySettings) -> int:
    out = sys.stdout
    app, observer = build(settings, out)
    if settings.host not in LOOPBACK:
        print(
            f"conformance proxy: listening on {settings.host}: anyone who reaches the port can send requests "
            f"through to {', '.join(app.router.origins.values())} with their own credentials",
            file=sys.stderr,
        )
    for api, origin in sorted(app.router.origins.items()):
        base = app.router.contracts[api].base_path
        print(f"conformance proxy: http://{settings.host}:{settings.port}{base} -> {origin}{base} ({api})")
    started = datetime.now(UTC).isoformat(timespec="seconds")
    began = time.monotonic()
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level="warning", lifespan="on", access_log=False
    )
    _Server(config).run()
    if observer.writer is not None:
        observer.writer.close()
    return finish(observer, settings, started, time.monotonic() - began)


def finish(observer: Observer, settings: ProxySettings, started: str, duration: float) -> int:
    """The summary and reports of what passed, the same as a run's; exit 1 when an exchange failed."""
    metadata = {
        "version": tool_version(),
        "started": started,
        "targets": dict(observer.router.origins),
        "apis": sorted(observer.router.origins),
        "mode": "proxy",
        "strict": settings.strict,
        "exchanges": observer.count,
        "resultsDropped": observer.kept.dropped,
        "duration": round(duration, 2),
    }
    results = observer.results
    print_summary(results, [], sys.stdout)
    written = []
    writers = {
        "json": lambda p: write_json(results, [], metadata, p),
        "junit": lambda p: write_junit(results, metadata, p, []),
        "html": lambda p: write_html(results, [], metadata, p),
    }
    for name, path in settings.reports.items():
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            writers[name](path)
            masking.mask_file(path)
            written.append(str(path))
    recorded = f"; recorded to {settings.record}" if settings.record else ""
    reports = f"; reports: {', '.join(written)}" if written else ""
    print(f"conformance proxy: {observer.count} exchange(s) in {duration:.0f} s{recorded}{reports}")
    if not results:
        raise NothingChecked("no exchange of the targets file's APIs passed through the proxy: nothing was checked")
    return exit_code(result.outcome for result in results)
