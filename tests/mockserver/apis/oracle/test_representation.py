"""The representation remembers the texts of the dates it showed; each is the text `isoformat` gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from mockserver.apis.oracle import representation

MOMENTS = [
    datetime(2020, 1, 1, tzinfo=UTC),
    datetime(2020, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2020, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))),  # the same instant as the first
    datetime(2020, 6, 1, 12, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
]


def test_a_date_shows_as_its_utc_isoformat_the_first_time_and_again():
    for _ in range(2):
        for moment in MOMENTS:
            assert representation._utc_text(moment) == moment.astimezone(UTC).isoformat()
        for moment in MOMENTS:  # equal, but other objects
            copy = moment.replace(microsecond=moment.microsecond)
            assert copy is not moment
            assert representation._utc_text(copy) == moment.astimezone(UTC).isoformat()


def test_dates_past_what_it_remembers_still_show_as_their_text(monkeypatch):
    monkeypatch.setattr(representation, "_UTC_TEXTS", 3)
    moments = [datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=n) for n in range(7)]
    for moment in moments * 3:
        assert representation._utc_text(moment) == moment.isoformat()
    assert len(representation._utc_texts) <= 3


def test_the_change_indicator_is_the_versions_hex():
    for version in (1, 2, 255, 2**40, 1, 2):
        assert representation.change_indicator(version) == f"ACED0005{version:016X}"
