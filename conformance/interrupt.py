"""A graceful stop: the first SIGTERM or Ctrl-C asks the run to stop starting checks (each request checks it),
so the reports of what ran are still written; a second Ctrl-C stops at once.

Exit code of an interrupted run: 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM), as shells do.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_requested: list[int] = []


def requested() -> str | None:
    """The name of the signal that asked the run to stop, or None."""
    return signal.Signals(_requested[0]).name if _requested else None


def exit_code() -> int | None:
    """128 + the signal's number when the run was interrupted."""
    return 128 + _requested[0] if _requested else None


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if signum == signal.SIGINT and _requested:
        raise KeyboardInterrupt  # the second Ctrl-C: stop now
    if not _requested:
        _requested.append(signum)


@contextmanager
def graceful_stop() -> Iterator[None]:
    """Within: SIGTERM and the first SIGINT only ask the run to stop. Main thread only (as signals are)."""
    _requested.clear()
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only; a run embedded in a thread keeps its host's handling
        return
    previous = {signum: signal.signal(signum, _on_signal) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
