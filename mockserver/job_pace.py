"""How fast the mock's asynchronous jobs run: a start delay, then so many items per second (0: no limit)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class JobPace:
    per_second: float = 100.0
    start_delay: timedelta = timedelta(seconds=0.5)

    @property
    def unlimited(self) -> bool:
        return self.per_second <= 0
