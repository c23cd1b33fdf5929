"""When a run must stop starting work: its time budget is used up, or it was asked to stop (SIGTERM, Ctrl-C).

Every place that sends a request or waits asks `RunLimits.stop_reason()` first, so a budget or an interrupt
stops a run between two requests, schemathesis phases and Retry-After waits included.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

from conformance import interrupt


@dataclass
class RunLimits:
    budget: float | None = None
    """Seconds the whole run may take; None: no limit."""
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        """Seconds left in the budget (infinite without one)."""
        if self.budget is None:
            return float("inf")
        return self.budget - (time.monotonic() - self.started)

    def stop_reason(self) -> str | None:
        """Why nothing more may start, or None."""
        signal_name = interrupt.requested()
        if signal_name:
            return f"not run: the run was interrupted ({signal_name})"
        if self.remaining() <= 0:
            return f"not run: time budget of {self.budget:g} s used up before this check finished"
        return None

    def check(self) -> None:
        """Skip the current check (reported as not run) when the run must stop."""
        reason = self.stop_reason()
        if reason:
            pytest.skip(reason)

    def pause(self, seconds: float) -> None:
        """Wait ``seconds``, but not past the budget nor an interrupt (the caller then asks `stop_reason`)."""
        end = time.monotonic() + min(seconds, max(self.remaining(), 0.0))
        while (left := end - time.monotonic()) > 0 and not interrupt.requested():
            time.sleep(min(left, 0.2))
