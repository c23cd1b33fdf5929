"""The dataset, clock and fault rules the admin API sets, as the store keeps them."""

from datetime import UTC, date, datetime, timedelta

from mockserver.app import load_spec
from mockserver.clock import Clock
from mockserver.qa.faults import Faults
from mockserver.qa.operations import MountedApi, OperationIndex
from mockserver.store import Store
from mockserver.store.mock_state import MockState

CONFIGURED = {"overit": {"accounts": []}}
RULE = {"operationId": "get_channel_readings", "status": 404, "times": 2}


def test_a_posted_dataset_counts_only_over_the_dataset_it_replaced(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'k.db'}")
    kept = MockState(store, CONFIGURED)
    assert kept.posted_dataset() is None
    with store.transaction() as connection:
        kept.keep_dataset(connection, {"tesma": {"groups": [], "since": date(2026, 1, 2)}})
    assert MockState(store, CONFIGURED).posted_dataset() == {"tesma": {"groups": [], "since": "2026-01-02"}}
    assert MockState(store, {"overit": {"accounts": [{"id": 1}]}}).posted_dataset() is None
    store.dispose()


def test_the_clock_comes_back_in_its_mode():
    store = Store()
    kept = MockState(store, CONFIGURED)
    for set_up, expected_mode in (
        (lambda clock: clock.freeze(datetime(2030, 1, 1, tzinfo=UTC)), "frozen"),
        (lambda clock: clock.shift(timedelta(hours=5)), "offset"),
        (lambda clock: clock.follow_wall_clock(), "real"),
    ):
        clock = Clock()
        set_up(clock)
        kept.keep_clock(clock)
        restored = Clock()
        kept.restore_clock(restored)
        assert (restored.mode, restored.frozen_at, restored.offset) == (clock.mode, clock.frozen_at, clock.offset)
        assert restored.mode == expected_mode


def test_fault_rules_come_back_as_they_were_put_and_unfit_ones_are_dropped():
    index = OperationIndex([MountedApi("energycap", "/api", load_spec("energycap-readings.yaml"))])
    store = Store()
    kept = MockState(store, CONFIGURED)
    faults = Faults(index)
    faults.replace([RULE])
    kept.keep_faults(faults)
    restored = Faults(index)
    kept.restore_faults(restored)
    assert [rule.spec for rule in restored.rules] == [RULE]
    kept.write("faults", [{"api": "no-such-api", "status": 404}])
    dropped = Faults(index)
    kept.restore_faults(dropped)
    assert dropped.rules == []
