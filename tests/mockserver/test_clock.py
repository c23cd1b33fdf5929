from datetime import UTC, datetime, timedelta, timezone

from mockserver.clock import Clock

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_real_clock_follows_the_wall_clock_and_offset_shifts_it():
    clock = Clock(wall_clock=lambda: T0)
    assert clock.now() == T0
    clock.shift(timedelta(hours=1))
    assert clock.now() == T0 + timedelta(hours=1)


def test_frozen_clock_stays_put_and_advances_on_demand():
    clock = Clock(wall_clock=lambda: T0)
    clock.freeze(datetime(2025, 5, 5, 12, 0))
    assert clock.now() == datetime(2025, 5, 5, 12, 0, tzinfo=UTC)
    clock.advance(timedelta(days=1))
    assert (clock.mode, clock.now()) == ("frozen", datetime(2025, 5, 6, 12, 0, tzinfo=UTC))


def test_advancing_a_real_clock_makes_it_an_offset_one():
    clock = Clock(wall_clock=lambda: T0)
    clock.advance(timedelta(seconds=30))
    assert (clock.mode, clock.now()) == ("offset", T0 + timedelta(seconds=30))
    clock.follow_wall_clock()
    assert (clock.mode, clock.now()) == ("real", T0)


def test_sortable_datetimes_are_fixed_width_utc_and_sort_in_time_order():
    from mockserver.timestamps import sortable_datetime

    plus_three = timezone(timedelta(hours=3))
    moments = [
        datetime(2026, 1, 1, 0, 0, 0, 500000, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 1, 1, 2, 0, tzinfo=plus_three),  # 2025-12-31T23:00Z
    ]
    texts = [sortable_datetime(m) for m in moments]
    assert texts[1] == "2026-01-01T00:00:00.000000Z"
    assert len({len(t) for t in texts}) == 1
    assert sorted(texts) == [sortable_datetime(m) for m in sorted(moments)]
