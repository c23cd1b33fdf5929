"""Oracle reading rules on plain data: no app, no store."""

from datetime import UTC, datetime

import pytest

from mockserver.apis.oracle.rules import (
    ABSOLUTE,
    ASCENDING,
    BOTH,
    CHANGE,
    DESCENDING,
    RESET,
    Meter,
    Reading,
    Template,
    create_reading,
    meter_key,
    net_change,
    parse_reading_date,
)
from mockserver.errors import RulesBroken

NOW = datetime(2026, 1, 1, tzinfo=UTC)
START = datetime(2020, 1, 1, tzinfo=UTC)
HOURS = Template(1, "HOURS", ABSOLUTE, ASCENDING, 0, None, True, 9999, 0, True, 0)
FUEL = Template(2, "FUEL", ABSOLUTE, DESCENDING, 0, 500)
CYCLES = Template(3, "CYCLES", CHANGE)


def meter(template, **extra):
    return Meter(10, "ORA_ASSET", template, START, asset_id=1, **extra)


def last(value, net=None, when="2025-01-01T00:00:00Z", kind=ABSOLUTE):
    return Reading(1, 10, parse_reading_date(when), kind, value, value if net is None else net)


def request(value=None, kind=ABSOLUTE, when="2025-06-01T00:00:00Z", **extra):
    body = {"ReadingDate": when, "ReadingTypeCode": kind, **extra}
    if value is not None:
        body["ReadingValue"] = value
    return body


def refused(*args) -> str:
    with pytest.raises(RulesBroken) as caught:
        create_reading(*args)
    return caught.value.violations[0].rule_id


@pytest.mark.parametrize(
    ("body", "rule"),
    [({}, "ORA-MR-001"), ({"AssetId": 1}, "ORA-MR-002"), ({"AssetNumber": "A", "MeterId": 3}, "ORA-MR-002")],
)
def test_a_meter_is_named_by_a_whole_pair(body, rule):
    with pytest.raises(RulesBroken) as caught:
        meter_key(body)
    assert caught.value.violations[0].rule_id == rule


def test_digits_as_text_name_a_meter_and_contract_lines_need_only_the_meter():
    assert meter_key({"AssetId": 1, "MeterId": "300100141395129"}).meter_id == 300100141395129
    assert meter_key({"MeterId": 7, "MeterUsageCode": "ORA_CONTRACT_LINE"}).meter_id == 7


def test_dates_are_checked_against_now_history_and_the_active_window():
    assert refused(meter(HOURS), None, request(1, when="2026-02-01T00:00:00Z"), NOW, 2) == "ORA-MR-004"
    assert refused(meter(HOURS), last(5), request(6, when="2024-01-01T00:00:00Z"), NOW, 2) == "ORA-MR-005"
    closed = meter(HOURS, active_end=datetime(2024, 12, 31, tzinfo=UTC))
    assert refused(closed, None, request(1), NOW, 2) == "ORA-MR-006"


def test_a_date_alone_means_midnight_utc():
    assert parse_reading_date("2025-11-02") == datetime(2025, 11, 2, tzinfo=UTC)


def test_absolute_values_follow_the_meters_direction_unless_it_rolls_over():
    assert refused(meter(HOURS), last(100), request(50), NOW, 2) == "ORA-MR-007"
    assert refused(meter(FUEL), last(100), request(150), NOW, 2) == "ORA-MR-008"
    assert refused(meter(FUEL), last(100), request(50, RolloverFlag=True), NOW, 2) == "ORA-MR-009"
    rolled = create_reading(meter(HOURS), last(9990, net=20000), request(10, RolloverFlag=True), NOW, 2)
    assert (rolled.net_value, rolled.rollover_flag) == (20000 + 9 + 10, True)


def test_template_bounds_and_types():
    assert refused(meter(FUEL), None, request(600), NOW, 2) == "ORA-MR-013"
    assert refused(meter(HOURS), None, request(10000), NOW, 2) == "ORA-MR-014"
    assert refused(meter(HOURS), None, request(None), NOW, 2) == "ORA-MR-015"
    assert refused(meter(HOURS), None, request(1, CHANGE), NOW, 2) == "ORA-MR-016"
    assert refused(meter(CYCLES), None, request(-1, CHANGE), NOW, 2) == "ORA-MR-010"


def test_a_reset_uses_the_template_value_and_keeps_the_net_value():
    reset = create_reading(meter(HOURS), last(700, net=1500), request(None, RESET), NOW, 2)
    assert (reset.reading_value, reset.net_value, reset.reset_flag) == (0, 1500, True)
    assert refused(meter(FUEL), None, request(None, RESET), NOW, 2) == "ORA-MR-012"


def test_net_value_accumulates_changes_and_the_first_reading_starts_it():
    first = create_reading(meter(HOURS), None, request(120), NOW, 2)
    assert (first.net_value, first.initial_flag) == (120, True)
    change = create_reading(meter(CYCLES), last(5, net=40, kind=CHANGE), request(7, CHANGE), NOW, 2)
    assert change.net_value == 47
    assert net_change(FUEL, last(400), 350, rollover=False) == 50


def test_a_reset_refuses_a_value_other_than_the_templates():
    assert refused(meter(HOURS), last(700), request(77, RESET), NOW, 2) == "ORA-MR-046"
    assert create_reading(meter(HOURS), last(700), request(0, RESET), NOW, 2).reading_value == 0


@pytest.mark.parametrize("value", [1500, 1100], ids=["above-the-last", "equal-to-the-last"])
def test_a_rollover_reading_must_lie_past_the_rollover_point(value):
    assert refused(meter(HOURS), last(1100), request(value, RolloverFlag=True), NOW, 2) == "ORA-MR-047"


def test_a_meter_read_in_both_directions_goes_up_and_down_but_never_rolls_over():
    both_ways = Template(4, "LEVEL", ABSOLUTE, BOTH, rollover_allowed=True, rollover_max_value=999)
    lower = create_reading(meter(both_ways), last(100, net=100), request(60), NOW, 2)
    assert lower.net_value == 60
    assert create_reading(meter(both_ways), last(60), request(90), NOW, 2).net_value == 90
    assert refused(meter(both_ways), last(100), request(60, RolloverFlag=True), NOW, 2) == "ORA-MR-047"
