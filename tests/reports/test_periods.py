import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from reports.periods import MONTH, QUARTER, WEEK, Period, parse, periods_between


def test_iso_week_across_the_year_end():
    week = Period.containing(WEEK, dt.date(2026, 1, 1))
    assert week.start == dt.date(2025, 12, 29)
    assert week.end == dt.date(2026, 1, 5)
    assert week.name == "2026-W01"
    assert parse("2026-W01") == week
    assert parse("2026-W53") == Period(WEEK, dt.date(2026, 12, 28))  # 2026 has 53 ISO weeks
    assert Period.containing(WEEK, dt.date(2027, 1, 3)).name == "2026-W53"


def test_quarter_and_month_bounds():
    quarter = Period.containing(QUARTER, dt.date(2026, 11, 15))
    assert (quarter.start, quarter.end, quarter.name) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1), "2026-Q4")
    assert quarter.previous() == Period(QUARTER, dt.date(2026, 7, 1))
    assert parse("2026-Q4") == quarter
    december = parse("2026-12")
    assert (december.start, december.end, december.last_day) == (
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
        dt.date(2026, 12, 31),
    )


def test_bounds_are_county_midnight():
    start, end = parse("2026-11").bounds()
    assert start.isoformat() == "2026-11-01T00:00:00+08:00"
    assert end.astimezone(dt.UTC) == dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["2026-13", "2026-W54", "2025-W53", "2026-Q5", "26-11", "", "2026-11-01", "month"])
def test_bad_period_names_are_refused_with_the_forms_that_work(text):
    with pytest.raises(ValidationError, match="2026-W48"):
        parse(text)


def test_a_day_that_starts_no_period_is_refused():
    with pytest.raises(ValidationError, match="not the first day"):
        Period.starting(MONTH, dt.date(2026, 11, 2))
    assert Period.starting(WEEK, dt.date(2026, 11, 23)).name == "2026-W48"


def test_periods_between():
    periods = periods_between(dt.date(2026, 9, 20), dt.date(2026, 10, 5), (MONTH, QUARTER))
    assert [p.name for p in periods] == ["2026-09", "2026-10", "2026-Q3", "2026-Q4"]
