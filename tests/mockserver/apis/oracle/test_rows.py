"""The repository builds readings and meters from rows directly; they equal the ones the constructors build."""

from __future__ import annotations

import pytest

from mockserver.apis.oracle import repository
from mockserver.apis.oracle.rules import Meter, Reading, Template
from mockserver.timestamps import DateOutOfRange, parse_datetime

TEMPLATE_ROWS = [
    (1, "HOURS", "ORA_ABSOLUTE", "ORA_ASCENDING", None, None, 0, None, None, 0, None, None),
    (7, "KM", "ORA_CHANGE", "ORA_BOTH", -5.5, 1e9, 1, 999999.0, 0.0, 1, 3.0, 2.5),
    (7, "KM", "ORA_CHANGE", "ORA_BOTH", -5.5, 1e9, 1, 999999.0, -0.0, 1, 3.0, 2.5),
    (8, "M3", "ORA_ABSOLUTE", "ORA_DESCENDING", 0.0, float("nan"), 0, None, None, 0, -0.0, 1.0),
    (8, "M3", "ORA_ABSOLUTE", "ORA_DESCENDING", -0.0, float("nan"), 0, None, None, 0, 0.0, 1.0),
]
METER_ROWS = [
    (10, "ORA_ASSET", "2019-01-01T00:00:00Z", None, 1, "BENCH-1"),
    (11, "ORA_SERVICE", "2019-01-01T00:00:00.000000Z", "2030-06-30T12:30:00.250000Z", None, None),
]
READING_ROWS = [
    (1, 10, "2020-01-01T00:00:00.000000Z", "ORA_ABSOLUTE", 0.0, 0.0, 0, 0, 1, 0, 0, 0, None, 1),
    (300100000000001, 11, "2026-12-01T23:59:59.999999Z", "ORA_RESET", None, -3.25, 1, 1, 0, 1, 1, 1, "a note", 7),
]


def _template(t):
    return Template(*t[:6], bool(t[6]), t[7], t[8], bool(t[9]), t[10], t[11])


@pytest.mark.parametrize("template_row", TEMPLATE_ROWS)
@pytest.mark.parametrize("meter_row", METER_ROWS)
def test_a_meter_read_from_a_row_is_the_one_its_constructor_builds(meter_row, template_row):
    row = (*meter_row, *template_row)
    active_end = parse_datetime(row[3]) if row[3] else None
    expected = Meter(row[0], row[1], _template(template_row), parse_datetime(row[2]), active_end, row[4], row[5])
    for _ in range(2):  # the second time from what it remembers
        meter = repository._meter(row)
        assert (type(meter), type(meter.template)) == (Meter, Template)
        assert repr(meter) == repr(expected)  # a float's sign and type included (-0.0 == 0.0, nan != nan)
        assert [type(value) for value in vars(meter.template).values()] == [
            type(value) for value in vars(expected.template).values()
        ]
        assert vars(meter).keys() == vars(expected).keys()


@pytest.mark.parametrize("first", [0.0, -0.0])
def test_a_meter_read_after_one_that_differs_only_in_a_zeros_sign_keeps_its_own(first):
    rows = [(*METER_ROWS[0], *TEMPLATE_ROWS[0][:4], zero, *TEMPLATE_ROWS[0][5:]) for zero in (first, -first)]
    for row in rows * 2:
        assert repr(repository._meter(row).template.min_value) == repr(row[10])


def test_a_meter_is_read_again_whole_after_many_others(monkeypatch):
    monkeypatch.setattr(repository, "_MEMO_SIZE", 2)
    rows = [(*METER_ROWS[0][:1], usage, *METER_ROWS[0][2:], *TEMPLATE_ROWS[0]) for usage in ("A", "B", "C", "D")]
    for row in rows * 3:
        assert repository._meter(row).usage_code == row[1]
    assert len(repository._meters_read) <= 2


@pytest.mark.parametrize("row", READING_ROWS)
def test_a_reading_read_from_a_row_is_the_one_its_constructor_builds(row):
    flags = [bool(value) for value in row[6:12]]
    expected = Reading(*row[:2], parse_datetime(row[2]), *row[3:6], *flags, row[12], row[13])
    reading = repository._reading(row)
    assert type(reading) is Reading and reading == expected and repr(reading) == repr(expected)
    assert [type(value) for value in reading] == [type(value) for value in expected]


def test_a_stored_date_refused_once_is_refused_again():
    for _ in range(2):
        with pytest.raises(DateOutOfRange):
            repository._stored_moment("0000-01-01T00:00:00Z")
