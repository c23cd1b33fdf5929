"""The repository builds readings and meters from rows directly; they equal the ones the constructors build."""

from __future__ import annotations

import pytest

from mockserver.apis.oracle import repository
from mockserver.apis.oracle.rules import Meter, Reading, Template
from mockserver.timestamps import DateOutOfRange, parse_datetime

TEMPLATE_ROWS = [
    (1, "HOURS", "ORA_ABSOLUTE", "ORA_ASCENDING", None, None, 0, None, None, 0, None, None),
    (7, "KM", "ORA_CHANGE", "ORA_BOTH", -5.5, 1e9, 1, 999999.0, 0.0, 1, 3.0, 2.5),
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
    for _ in range(2):  # the second time from the remembered dates
        meter = repository._meter(row)
        assert (type(meter), type(meter.template)) == (Meter, Template)
        assert meter == expected and hash(meter) == hash(expected) and repr(meter) == repr(expected)
        assert vars(meter.template) == vars(expected.template) and vars(meter) == vars(expected)


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
