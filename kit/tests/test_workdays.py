"""Working days over weekends, public holidays, make-up days (调休), overrides and unknown years.

The rules are checked on a fabricated year (2031, "notice" made up here) so that they do not depend
on the State Council's real notices; one test checks that the bundled package's years are the
starting data.
"""

from datetime import UTC, date, datetime

import pytest

from bianmin.contracts.events.catalog import NoticeDay
from bianmin.kit.calendar import bundled_years, check_notice, coverage_of, notice_digest, notice_map
from bianmin.kit.errors import Unprocessable
from bianmin.kit.workdays import SHANGHAI, WorkCalendar

# A fabricated 2031: a New Year's Day on Wednesday, a week off in early February with a make-up
# Saturday before it, and a make-up Sunday after it.
FABRICATED = [
    NoticeDay(day=date(2031, 1, 1), workday=False, name="元旦"),
    *(NoticeDay(day=date(2031, 2, d), workday=False, name="春节") for d in range(3, 10)),
    NoticeDay(day=date(2031, 2, 1), workday=True, name="春节"),
    NoticeDay(day=date(2031, 2, 16), workday=True, name="春节"),
]
CALENDAR = WorkCalendar({2031: notice_map(FABRICATED)})


def test_the_holidays_of_a_notice_are_off_and_its_make_up_weekend_days_on() -> None:
    assert not CALENDAR.is_workday(date(2031, 1, 1))
    assert not CALENDAR.is_workday(date(2031, 2, 5))
    assert CALENDAR.is_workday(date(2031, 2, 1))
    assert date(2031, 2, 1).weekday() == 5
    assert CALENDAR.is_workday(date(2031, 2, 16))
    assert date(2031, 2, 16).weekday() == 6
    assert not CALENDAR.is_workday(date(2031, 2, 15))
    assert CALENDAR.is_workday(date(2031, 2, 10))


def test_submission_day_is_day_zero() -> None:
    assert CALENDAR.add_workdays(date(2031, 3, 3), 0) == date(2031, 3, 3)
    assert CALENDAR.add_workdays(date(2031, 3, 3), 3) == date(2031, 3, 6)
    assert CALENDAR.add_workdays(date(2031, 3, 7), 1) == date(2031, 3, 10)


def test_a_limit_across_the_holiday_week_counts_the_make_up_days() -> None:
    end = CALENDAR.add_workdays(date(2031, 1, 31), 3)
    # Saturday 1 Feb is worked, then 3–9 Feb are off: the third working day is Tuesday 11 Feb.
    assert end == date(2031, 2, 11)
    assert CALENDAR.workdays_between(date(2031, 1, 31), end) == 3


def test_an_override_beats_the_notice() -> None:
    storm_day = date(2031, 3, 5)
    calendar = WorkCalendar({2031: notice_map(FABRICATED)}, {storm_day: False, date(2031, 2, 5): True})
    assert not calendar.is_workday(storm_day)
    assert calendar.is_workday(date(2031, 2, 5))
    assert calendar.add_workdays(date(2031, 3, 4), 1) == date(2031, 3, 6)


def test_an_unknown_year_is_answered_provisionally_never_silently() -> None:
    assert CALENDAR.knows(2031)
    assert not CALENDAR.knows(2032)
    assert CALENDAR.provisional_reason(date(2031, 5, 1), date(2031, 6, 1)) is None
    end = CALENDAR.add_workdays(date(2031, 12, 30), 5)
    assert end.year == 2032
    reason = CALENDAR.provisional_reason(date(2031, 12, 30), end)
    assert reason is not None
    assert "2032" in reason
    assert CALENDAR.missing_years(date(2030, 12, 1), date(2032, 1, 5)) == [2030, 2032]


def test_the_digest_of_a_year_changes_with_any_day_and_is_none_for_an_unknown_year() -> None:
    base = CALENDAR.digest(2031)
    assert base == notice_digest(2031, FABRICATED)
    assert WorkCalendar({2031: notice_map(FABRICATED)}, {date(2031, 7, 1): False}).digest(2031) != base
    assert WorkCalendar({2031: notice_map(FABRICATED[1:])}).digest(2031) != base
    assert CALENDAR.digest(2032) is None


@pytest.mark.parametrize(("days", "field", "says"), [
    ([NoticeDay(day=date(2031, 1, 1), workday=False), NoticeDay(day=date(2031, 1, 1), workday=False)],
     "days.1.day", "listed twice"),
    ([NoticeDay(day=date(2030, 12, 31), workday=False)], "days.0.day", "not in 2031"),
    ([NoticeDay(day=date(2031, 2, 10), workday=True)], "days.0.day", "weekday"),
])
def test_a_notice_that_cannot_be_right_is_refused_naming_the_day(days: list[NoticeDay], field: str, says: str) -> None:
    with pytest.raises(Unprocessable) as refused:
        check_notice(2031, days)
    assert refused.value.errors[0].field == field
    assert says in refused.value.errors[0].reason


def test_the_coverage_warns_sixty_days_before_the_known_years_end() -> None:
    known = {2029, 2030, 2031}
    assert coverage_of(known, date(2031, 10, 1)).warning is None
    late = coverage_of(known, date(2031, 11, 2))
    assert late.last_year == 2031
    assert late.missing_year == 2032
    assert "2032" in (late.warning or "")
    assert coverage_of(known, date(2030, 11, 2)).warning is None
    gone = coverage_of(known, date(2032, 1, 2))
    assert gone.missing_year == 2032
    assert gone.last_year is None


def test_the_bundled_years_are_the_starting_data() -> None:
    years = bundled_years()
    assert 2026 in years
    calendar = WorkCalendar({y: notice_map(d) for y, d in years.items()})
    assert not calendar.is_workday(date(2026, 10, 1))
    assert all(d.day.weekday() >= 5 for days in years.values() for d in days if d.workday)


def test_a_deadline_ends_at_the_close_of_the_last_working_day_in_shanghai() -> None:
    late_friday_utc = datetime(2031, 3, 7, 17, 0, tzinfo=UTC)  # Saturday 01:00 in Shanghai
    deadline = CALENDAR.deadline(late_friday_utc, 1)
    assert deadline.tzinfo is SHANGHAI
    assert deadline.date() == date(2031, 3, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        CALENDAR.deadline(datetime(2031, 3, 7, 9, 0), 1)
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.add_workdays(date(2031, 3, 3), -1)
