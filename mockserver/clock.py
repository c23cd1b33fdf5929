"""The mock's notion of now: the wall clock, a frozen instant, or the wall clock shifted by an offset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from mockserver.timestamps import SUPPORTED_DATES, DateOutOfRange, DateRange

ClockMode = Literal["real", "frozen", "offset"]


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Clock:
    """Rules receive ``clock.now()`` as an argument; nothing else in the mock reads the wall clock."""

    mode: ClockMode = "real"
    frozen_at: datetime | None = None
    offset: timedelta = timedelta()
    wall_clock: Callable[[], datetime] = _wall_clock
    supported: DateRange = SUPPORTED_DATES

    def now(self) -> datetime:
        if self.mode == "frozen" and self.frozen_at is not None:
            return self.frozen_at
        return self.wall_clock() + self.offset

    def follow_wall_clock(self) -> None:
        self.mode, self.frozen_at, self.offset = "real", None, timedelta()

    def freeze(self, at: datetime) -> None:
        at = self.supported.check(_as_utc(at), "the clock's time")
        self.mode, self.frozen_at, self.offset = "frozen", at, timedelta()

    def shift(self, offset: timedelta) -> None:
        self.supported.check(self._moved(self.wall_clock(), offset), "the clock's time")
        self.mode, self.frozen_at, self.offset = "offset", None, offset

    def advance(self, by: timedelta) -> None:
        """Move the clock by ``by`` keeping its mode (a real clock becomes an offset one). A move that would
        leave the supported range raises DateOutOfRange and changes nothing."""
        if self.mode == "frozen" and self.frozen_at is not None:
            self.freeze(self._moved(self.frozen_at, by))
        else:
            self.shift(self.offset + by)

    def _moved(self, moment: datetime, by: timedelta) -> datetime:
        try:
            return moment + by
        except OverflowError:
            raise DateOutOfRange(
                f"the clock's time would leave the range the mock supports ({self.supported})"
            ) from None


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
