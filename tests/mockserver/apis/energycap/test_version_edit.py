"""Channel version edits on plain data: no app, no store."""

from datetime import UTC, datetime

import pytest

from mockserver.apis.energycap.rules import ODOMETER, Channel, Version
from mockserver.apis.energycap.version_edit import UdfDefinition, edit_version, require_channel
from mockserver.errors import RulesBroken

JAN_2020, JAN_2024, JAN_2025 = (datetime(year, 1, 1, tzinfo=UTC) for year in (2020, 2024, 2025))
CHAIN = (
    Version(1, None, JAN_2020, "kWh", 1.0, 999.0, ODOMETER),
    Version(2, JAN_2020, JAN_2024, "kWh", 1.0, 999.0, ODOMETER),
    Version(3, JAN_2024, None, "kWh", 1.0, 999.0, ODOMETER),
)
CHANNEL = Channel(10, 5, 900, "Energy", CHAIN)
UNITS = {"kWh", "MWh"}
UDFS = {1: UdfDefinition(1, "Text"), 2: UdfDefinition(2, "Number"), 3: UdfDefinition(3, "Select", ("AMI", "Manual")),
        4: UdfDefinition(4, "Date"), 5: UdfDefinition(5, "Boolean"), 6: UdfDefinition(6, "Integer")}  # fmt: skip
EDIT = {"maximumReading": 5.0, "multiplier": 2.0, "observationRule": "Trip", "unitCode": "MWh"}


def edit(version_id=2, **changes):
    return edit_version(CHANNEL, version_id, {**EDIT, **changes}, UNITS, UDFS)


def refusal(version_id=2, **changes):
    with pytest.raises(RulesBroken) as caught:
        edit(version_id, **changes)
    return [(v.rule_id, v.code) for v in caught.value.violations]


def test_the_edit_replaces_the_settings_of_that_version_only():
    change = edit()
    assert change.versions[1] == Version(2, JAN_2020, JAN_2024, "MWh", 2.0, 5.0, "Trip")
    assert (change.versions[0], change.versions[2]) == (CHAIN[0], CHAIN[2])


def test_a_new_begin_date_moves_the_previous_end_and_nothing_else():
    moved = datetime(2021, 6, 1, tzinfo=UTC)
    change = edit(beginDate="2021-06-01")
    assert [(v.begin, v.end) for v in change.versions] == [(None, moved), (moved, JAN_2024), (JAN_2024, None)]


def test_the_first_version_may_begin_anywhere_before_the_next():
    change = edit(1, beginDate="1899-12-30")
    assert change.versions[0].begin == datetime(1899, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("version_id", "begin", "rule_id"),
    [(3, "2019-12-31T23:59:59Z", "ECAP-CV-015"), (3, "2020-01-01", "ECAP-CV-015"), (2, "2024-01-01", "ECAP-CV-015"),
     (1, "2020-01-01", "ECAP-CV-015"), (1, "1899-12-29", "ECAP-CV-007"), (3, "2100-01-01", "ECAP-CV-007")],
)  # fmt: skip
def test_begin_dates_that_leave_the_range_or_reorder_the_chain_are_refused(version_id, begin, rule_id):
    assert refusal(version_id, beginDate=begin) == [(rule_id, "VERSION_DATES" if rule_id.endswith("15") else
                                                      "INVALID_REQUEST")]  # fmt: skip


def test_every_problem_is_reported_at_once():
    problems = refusal(beginDate="2030-01-01", unitCode="Furlongs", udfs=[{"udfId": 9, "value": "x"}])
    assert [rule_id for rule_id, _ in problems] == ["ECAP-CV-015", "ECAP-CV-008", "ECAP-CV-012"]


@pytest.mark.parametrize("udfs", [None, []])
def test_no_udf_list_assigns_nothing(udfs):
    assert edit(udfs=udfs).udf_values == {}


def test_listed_udfs_are_set_or_cleared():
    change = edit(udfs=[{"udfId": 1, "value": "Roof"}, {"udfId": 3, "value": None}])
    assert change.udf_values == {1: "Roof", 3: None}


@pytest.mark.parametrize(
    ("udf_id", "value", "fits"),
    [(2, "12.5", True), (2, "many", False), (3, "AMI", True), (3, "ami", False), (4, "2026-01-31", True),
     (4, "31/01/2026", False), (5, "True", True), (5, "yes", False), (6, "12", True), (6, "12.5", False),
     (1, "anything at all", True)],
)  # fmt: skip
def test_values_must_fit_the_udfs_type_and_select_values(udf_id, value, fits):
    udfs = [{"udfId": udf_id, "value": value}]
    if fits:
        assert edit(udfs=udfs).udf_values == {udf_id: value}
    else:
        assert refusal(udfs=udfs) == [("ECAP-CV-013", "INVALID_UDF_VALUE")]


def test_a_udf_listed_twice_is_refused():
    assert refusal(udfs=[{"udfId": 1, "value": "a"}, {"udfId": 1, "value": "b"}]) == [("ECAP-CV-012", "INVALID_UDF")]


def test_unknown_meter_channel_and_version_are_told_apart():
    with pytest.raises(RulesBroken) as meter:
        require_channel(False, CHANNEL, 5, 10, editing=True)
    with pytest.raises(RulesBroken) as other_meter:
        require_channel(True, CHANNEL, 6, 10, editing=True)
    with pytest.raises(RulesBroken) as reading:
        require_channel(True, None, 5, 10, editing=False)
    assert [e.value.violations[0].rule_id for e in (meter, other_meter, reading)] == [
        "ECAP-CV-002", "ECAP-CV-003", "ECAP-CH-002"
    ]  # fmt: skip
    assert refusal(9) == [("ECAP-CV-004", "NOT_FOUND")]
    assert require_channel(True, CHANNEL, 5, 10, editing=True) is CHANNEL


def test_after_a_version_in_force_since_the_beginning_any_earlier_date_is_in_order():
    assert edit(beginDate="1950-01-01").versions[0].end == datetime(1950, 1, 1, tzinfo=UTC)
