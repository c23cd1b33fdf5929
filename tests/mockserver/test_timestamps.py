"""Stored date-times are fixed-width UTC text that sorts in time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from mockserver.timestamps import sortable_datetime

_OFFSETS = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
_MOMENTS = st.datetimes(
    min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=_OFFSETS | st.just(UTC)
)


@given(_MOMENTS)
def test_a_moment_is_written_as_isoformat_writes_it_in_utc_with_microseconds(moment: datetime) -> None:
    expected = moment.astimezone(UTC).isoformat(timespec="microseconds")[:26] + "Z"
    assert sortable_datetime(moment) == expected


@given(_MOMENTS, _MOMENTS)
def test_the_text_sorts_as_the_moments_do(first: datetime, second: datetime) -> None:
    assert (sortable_datetime(first) < sortable_datetime(second)) == (first < second)


def test_years_before_1000_and_whole_seconds_keep_the_fixed_width() -> None:
    assert sortable_datetime(datetime(5, 3, 4, 1, 2, 3, tzinfo=UTC)) == "0005-03-04T01:02:03.000000Z"
    assert sortable_datetime(datetime(2026, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))) == (
        "2026-01-01T00:00:00.000000Z"
    )
