"""Working days over weekends, public holidays, make-up days (调休), overrides and unknown years."""

import logging
from datetime import UTC, date, datetime

import pytest

from bianmin.kit.workdays import SHANGHAI, WorkCalendar


def test_national_day_week_is_off_and_its_make_up_saturday_is_on() -> None:
    calendar = WorkCalendar()
    assert not calendar.is_workday(date(2026, 10, 1))
    assert not calendar.is_workday(date(2026, 10, 7))
    make_up = [d for d in (date(2026, 9, 20), date(2026, 10, 10)) if calendar.is_workday(d)]
    assert make_up, "the 2026 National Day notice has a make-up weekend day"
    assert all(d.weekday() >= 5 for d in make_up)


def test_submission_day_is_day_zero() -> None:
    calendar = WorkCalendar()
    assert calendar.add_workdays(date(2026, 11, 23), 0) == date(2026, 11, 23)
    assert calendar.add_workdays(date(2026, 11, 23), 3) == date(2026, 11, 26)
    assert calendar.add_workdays(date(2026, 11, 27), 1) == date(2026, 11, 30)


def test_a_limit_across_the_national_day_holiday() -> None:
    calendar = WorkCalendar()
    end = calendar.add_workdays(date(2026, 9, 30), 3)
    assert end > date(2026, 10, 7)
    assert calendar.workdays_between(date(2026, 9, 30), end) == 3


def test_an_override_beats_the_statutory_calendar() -> None:
    storm_day = date(2026, 11, 25)
    calendar = WorkCalendar({storm_day: False, date(2026, 11, 28): True})
    assert not calendar.is_workday(storm_day)
    assert calendar.is_workday(date(2026, 11, 28))
    assert calendar.add_workdays(date(2026, 11, 24), 1) == date(2026, 11, 26)


def test_a_year_without_data_counts_weekends_only_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    calendar = WorkCalendar()
    with caplog.at_level(logging.WARNING):
        assert calendar.is_workday(date(2031, 1, 1))
        assert not calendar.is_workday(date(2031, 1, 4))
        calendar.is_workday(date(2031, 1, 6))
    assert len([r for r in caplog.records if "no holiday data" in r.message]) == 1


def test_the_deadline_is_the_end_of_the_last_working_day_in_shanghai() -> None:
    late_friday_utc = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # already Saturday in Shanghai
    deadline = WorkCalendar().deadline(late_friday_utc, 1)
    assert deadline.tzinfo == SHANGHAI
    assert deadline.date() == date(2026, 11, 30)
    with pytest.raises(ValueError, match="timezone-aware"):
        WorkCalendar().deadline(datetime(2026, 11, 27, 9, 0), 1)


def test_negative_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        WorkCalendar().add_workdays(date(2026, 1, 5), -1)
