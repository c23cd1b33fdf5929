"""RFC 3339 timestamps as the mock stores and answers them: UTC, with a Z.

RFC 3339 allows what Python's datetime cannot hold: a leap second (23:59:60), year 0000, and an instant that
an extreme UTC offset pushes outside years 1..9999. Such a date-time, or one outside `SUPPORTED_DATES`, is
refused with `DateOutOfRange` (a ValueError), which every caller already turns into the vendor's 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache


class DateOutOfRange(ValueError):
    """A date-time the mock cannot represent or does not accept; the message says which and why."""


@dataclass(frozen=True)
class DateRange:
    # A day inside Python's range on each side, so that a day's arithmetic in the rules stays representable.
    earliest: datetime = datetime(1, 1, 2, tzinfo=UTC)
    latest: datetime = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)

    def check(self, moment: datetime, what: str = "date-time") -> datetime:
        if not self.earliest <= moment <= self.latest:
            raise DateOutOfRange(
                f"{what} {format_datetime(moment)} is outside the range the mock supports "
                f"({format_datetime(self.earliest)} to {format_datetime(self.latest)})"
            )
        return moment

    def __str__(self) -> str:
        return f"{self.earliest:%Y-%m-%d} to {self.latest:%Y-%m-%d} (UTC)"


SUPPORTED_DATES = DateRange()


def parse_datetime(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise DateOutOfRange(
            f"{text[:64]!r} is not a date-time the mock can represent: years 0001..9999 in UTC, "
            f"and no leap second (23:59:60)"
        ) from None
    return SUPPORTED_DATES.check(moment)


@lru_cache(maxsize=4096)  # batches repeat the same few timestamps
def normalize_datetime(text: str) -> str:
    return format_datetime(parse_datetime(text))


def format_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def sortable_datetime(moment: datetime) -> str:
    """Fixed width (always microseconds), so that stored text sorts in time order: 2026-01-01T00:15:00.000000Z.
    (%-formatting, not strftime or isoformat: imports format this hundreds of thousands of times; it is five times
    faster than strftime and half again as fast as `isoformat(timespec=...)`, with the same text.)"""
    m = moment.astimezone(UTC)
    fields = (m.year, m.month, m.day, m.hour, m.minute, m.second, m.microsecond)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % fields  # noqa: UP031  (faster than an f-string here, measured)


def parse_date(text: str) -> datetime:
    """A date alone, as midnight UTC."""
    try:
        moment = datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
    except ValueError:
        raise DateOutOfRange(f"{text[:64]!r} is not a date the mock can represent (years 0001..9999)") from None
    return SUPPORTED_DATES.check(moment, "date")


def unsupported(text: str, *, date_only: bool = False) -> str | None:
    """Why an RFC 3339 date or date-time is one the mock refuses, or None when it accepts it."""
    try:
        parse_date(text) if date_only else parse_datetime(text)
    except DateOutOfRange as refusal:
        return str(refusal)
    return None
