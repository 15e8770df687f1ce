"""Deadline, pause and ladder rules over weekends, holidays and 调休, without HTTP."""

from datetime import date, time

import pytest
from consult_factories import at

from bianmin.consult.domain import deadlines
from bianmin.consult.domain.deadlines import Policy
from bianmin.kit.calendar import bundled_calendar
from bianmin.testing.registry import MADE_UP_2027

CAL = bundled_calendar()
POLICY = Policy()


def test_day_zero_is_the_day_of_submission_and_national_day_is_skipped() -> None:
    due = deadlines.due_at(CAL, started_at=at("2026-09-28 16:30"), days=3)
    assert due == at("2026-10-08 23:59:59")


def test_a_make_up_saturday_counts_as_a_working_day() -> None:
    # Friday 9 Oct is day zero; Saturday 10 Oct is a 调休 working day, Sunday 11 Oct is not.
    assert deadlines.due_at(CAL, started_at=at("2026-10-09 20:00"), days=3) == at("2026-10-13 23:59:59")


def test_a_make_up_sunday_before_the_holiday_counts_too() -> None:
    # Saturday 19 Sep is off; Sunday 20 Sep is a 调休 working day.
    assert deadlines.due_at(CAL, started_at=at("2026-09-19 09:00"), days=1) == at("2026-09-20 23:59:59")


def test_a_complaint_gets_thirteen_working_days() -> None:
    assert POLICY.days_for("complaint") == 13
    # From Monday 21 Sep: 22-25 and 28-30 Sep give 7, then 8, 9, 10 (调休), 12, 13, 14, 15 Oct.
    assert deadlines.due_at(CAL, started_at=at("2026-09-21 10:00"), days=13) == at("2026-10-15 23:59:59")


def test_an_operator_override_moves_the_deadline() -> None:
    typhoon = bundled_calendar({date(2026, 9, 29): False})
    assert deadlines.due_at(typhoon, started_at=at("2026-09-28 10:00"), days=3) == at("2026-10-09 23:59:59")


def test_a_midnight_submission_belongs_to_the_shanghai_day() -> None:
    # 2026-09-27 17:00 UTC is already Monday 28 Sep 01:00 in Shanghai.
    from datetime import UTC, datetime

    started = datetime(2026, 9, 27, 17, 0, tzinfo=UTC)
    assert deadlines.due_at(CAL, started_at=started, days=3) == at("2026-10-08 23:59:59")


def test_extensions_and_pauses_add_working_days() -> None:
    due = deadlines.due_at(CAL, started_at=at("2026-09-28 10:00"), days=3, extension_days=2, paused_workdays=1)
    assert due == at("2026-10-12 23:59:59")


@pytest.mark.parametrize(("start", "end", "days"), [
    ("2026-09-28 10:00", "2026-09-28 17:00", 0),
    ("2026-09-28 10:00", "2026-09-29 09:00", 1),
    ("2026-09-30 10:00", "2026-10-08 09:00", 1),
    ("2026-10-09 10:00", "2026-10-12 09:00", 2),
])
def test_a_pause_counts_the_working_days_it_covered(start: str, end: str, days: int) -> None:
    assert deadlines.paused_workdays(CAL, at(start), at(end)) == days


def test_the_ladder_prewarns_then_urges_then_notices_then_reports() -> None:
    due = at("2026-09-30 23:59:59")
    steps = {moment: deadlines.ladder(CAL, deadline=due, now=at(moment), policy=POLICY) for moment in (
        "2026-09-28 10:00", "2026-09-29 10:00", "2026-09-30 18:00", "2026-10-01 00:30", "2026-10-07 12:00",
        "2026-10-08 12:00", "2026-10-09 12:00", "2026-10-13 12:00", "2026-10-14 12:00")}
    assert steps["2026-09-28 10:00"] == []
    assert steps["2026-09-29 10:00"] == ["prewarning"]
    assert steps["2026-09-30 18:00"] == ["prewarning"]
    assert steps["2026-10-01 00:30"] == ["urge"]
    # The holiday is not counted as overdue time: still one urge only on 7 Oct.
    assert steps["2026-10-07 12:00"] == ["urge"]
    assert steps["2026-10-08 12:00"] == ["urge"]
    assert steps["2026-10-09 12:00"] == ["urge", "notice"]
    # 8, 9, 10 (调休), 12, 13 Oct: five working days overdue.
    assert steps["2026-10-13 12:00"] == ["urge", "notice", "report"]
    assert deadlines.overdue_workdays(CAL, due, at("2026-10-14 12:00")) == 6


def test_working_seconds_count_office_hours_on_working_days_only() -> None:
    seconds = deadlines.working_seconds(CAL, at("2026-09-30 16:00"), at("2026-10-08 10:00"),
                                        work_start=time(9), work_end=time(17))
    assert seconds == 2 * 3600


def test_percentiles_use_the_nearest_rank() -> None:
    assert deadlines.percentile([], 0.5) is None
    assert deadlines.percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.0
    assert deadlines.percentile([4.0, 1.0, 3.0, 2.0], 0.9) == 4.0


def test_a_deadline_counted_into_a_year_without_its_notice_is_provisional_until_the_notice_is_loaded() -> None:
    started = at("2026-12-30 10:00")
    unknown = bundled_calendar()
    due = deadlines.due_at(unknown, started_at=started, days=3)
    basis = deadlines.due_basis(unknown, started_at=started, due=due)
    known = bundled_calendar()
    known.years[2027] = MADE_UP_2027
    settled = deadlines.due_at(known, started_at=started, days=3)
    # Unknown 2027 counts by weekends alone: 31 Dec, Fri 1 Jan, Mon 4 Jan. The made-up notice takes
    # 1, 4 and 5 Jan off: 31 Dec, 6 Jan, 7 Jan.
    assert due == at("2027-01-04 23:59:59")
    assert basis is not None
    assert "2027" in basis
    assert settled == at("2027-01-07 23:59:59")
    assert deadlines.due_basis(known, started_at=started, due=settled) is None
    assert deadlines.due_basis(unknown, started_at=at("2026-12-21 10:00"), due=at("2026-12-24 23:59:59")) is None
