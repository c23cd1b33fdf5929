"""Benchmark: the OverIT batch with and without a QA console open, streaming the journal.

One `mockserver` process; runs alternate "no console" and "console open" so a noisy moment on a shared machine
spreads over both. "Console open" is the console page itself in headless Chromium (Playwright, the system's
`chromium`) on the Journal section, showing every exchange as it arrives. With `--reader` (or without
Chromium) a plain client reading `GET /__admin/requests/stream` stands in for it: the mock's own cost, without
a browser competing for the same cores.

    python bench/console_stream.py [--seconds 10] [--connections 16] [--repeat 3] [--reader]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from harness import running_mock, seed
from overit_batch import TENANT, batch, fixture, load_with_asyncio, load_with_wrk


@contextmanager
def console_in_chromium(port: int) -> Any:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), headless=True)
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/__admin/console/#journal")
        page.wait_for_selector("[data-testid=stream-state]:text('live')")
        yield lambda: int(page.locator("[data-testid=journal] tbody tr").count())
        browser.close()


@contextmanager
def stream_reader(port: int) -> Any:
    events = [0]
    stop = threading.Event()

    def read() -> None:
        with httpx.stream("GET", f"http://127.0.0.1:{port}/__admin/requests/stream", timeout=None) as stream:
            for line in stream.iter_lines():
                if line.startswith("event: exchange"):
                    events[0] += 1
                if stop.is_set():
                    return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    yield lambda: events[0]
    stop.set()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reader", action="store_true", help="a stream reader, even when Chromium is there")
    args = parser.parse_args()
    load = load_with_wrk if shutil.which("wrk") else load_with_asyncio
    try:
        import playwright  # noqa: F401

        chromium = shutil.which("chromium") is not None and not args.reader
    except ImportError:
        chromium = False
    console: Callable[[int], AbstractContextManager[Callable[[], int]]] = (
        console_in_chromium if chromium else stream_reader
    )
    body = batch(refused=False)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TENANT}"}
    print(
        f"OverIT valid 50-item batch, one uvicorn worker, journal on, {args.connections} connections, "
        f"{args.seconds} s per run, {args.repeat} runs each, alternating; console: "
        f"{'the page in headless Chromium' if chromium else 'a stream reader'}; shared machine, expect +-15%"
    )
    figures: dict[str, list[float]] = {"no console": [], "console open": []}
    shown = 0
    with running_mock() as mock:
        seed(mock.port, TENANT, fixture())
        load(mock.port, body, headers, 2, args.connections)  # warm-up
        for _ in range(args.repeat):
            figures["no console"].append(load(mock.port, body, headers, args.seconds, args.connections)["rps"])
            with console(mock.port) as seen:
                figures["console open"].append(load(mock.port, body, headers, args.seconds, args.connections)["rps"])
                shown = max(shown, seen())
    for name, runs in figures.items():
        runs.sort()
        print(f"{name:<14} {statistics.median(runs):>8.0f} req/s ({runs[0]:.0f}-{runs[-1]:.0f})")
    ratio = statistics.median(figures["console open"]) / statistics.median(figures["no console"])
    print(f"console open / no console: {ratio:.2f}; the console showed {shown} exchanges in its last run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
