from datetime import UTC, datetime, timedelta

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
