"""Deadlines in working days, the paused clock, the escalation ladder and working hours.

Day zero is the day of submission (Asia/Shanghai); a limit of n working days ends at the end of the
n-th working day after it, counted on the district calendar (statutory holidays, 调休 make-up days
and the operators' overrides, :func:`bianmin.kit.calendar.load_calendar`). While the department
waits for the asker the clock stands still: each pause is stored, and the deadline moves by the
working days it covered (the working days after the day it began, up to and including the day it
ended; a pause within one day moves nothing). Approved extensions add working days too.

A deadline counted into a year whose State Council holiday notice is not loaded is *provisional*:
its days there were counted by weekends alone, so New Year's Day or the Spring Festival may still
move it. :func:`due_basis` says why (:meth:`~bianmin.kit.workdays.WorkCalendar.provisional_reason`);
it is stored beside the deadline when the deadline is counted and shown with it, and stays until the
deadline is counted again on a calendar that knows the year.

The ladder, evaluated at any ``now``:
- ``prewarning`` while the deadline is still ahead and at most ``prewarning_workdays`` away;
- ``urge`` (催办) once the deadline has passed;
- ``notice`` (通报) once it is ``notice_after_workdays`` working days overdue;
- ``report`` to the supervising department once ``report_after_workdays`` working days overdue.
A pre-warning that was never sent is not sent after the deadline: the urge replaces it.

Drills and end-to-end tests: ``day_seconds`` (default a real day, 86,400) makes the ladder's clock
run faster, in the spirit of bidding's ``minute_seconds``/``day_seconds``. Deadlines stay the real
working-day deadlines shown to askers; the ladder judges a clock started at ``started_at`` at the
moment :func:`ladder_now` gives, where every ``day_seconds`` of real time since the start count as a day.
Which steps were already taken, and when the ladder restarts (an approved extension, a reopening),
is the business of :mod:`bianmin.consult.domain.escalation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from bianmin.kit.workdays import SHANGHAI, WorkCalendar, local_date

STEPS = ("prewarning", "urge", "notice", "report")
MAX_SPAN_DAYS = 3660
DAY_SECONDS = 86400.0


@dataclass(frozen=True)
class Policy:
    """The operator-configurable rules for deadlines, escalation, reopening and rectification."""

    deadline_days: Mapping[str, int] = field(default_factory=lambda: {
        "consultation": 3, "request": 3, "complaint": 13, "suggestion": 13, "praise": 13})
    prewarning_workdays: int = 1
    notice_after_workdays: int = 2
    report_after_workdays: int = 5
    default_supervisor: str = "DCS"
    reopen_window_workdays: int = 5
    max_extension_workdays: int = 10
    rectification_contact_workdays: int = 1
    rectification_fix_workdays: int = 15
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    district_site: str | None = None
    day_seconds: float = DAY_SECONDS

    @classmethod
    def from_settings(cls, settings: Any) -> Policy:
        """The policy the service's settings describe."""
        names = [f for f in cls.__dataclass_fields__]
        return cls(**{name: getattr(settings, name) for name in names})

    def days_for(self, kind: str) -> int:
        """Working days allowed for a kind of entry (3 when the operator configured none)."""
        return int(self.deadline_days.get(kind, 3))


def ladder_now(policy: Policy, *, started_at: datetime, now: datetime) -> datetime:
    """The moment the ladder judges at ``now``: ``now`` itself, or faster by ``DAY_SECONDS / day_seconds``."""
    if policy.day_seconds >= DAY_SECONDS or now <= started_at:
        return now
    return started_at + (now - started_at) * (DAY_SECONDS / policy.day_seconds)


def due_at(calendar: WorkCalendar, *, started_at: datetime, days: int, extension_days: int = 0,
           paused_workdays: int = 0) -> datetime:
    """The deadline of a clock started at ``started_at``, moved by extensions and pauses."""
    return calendar.deadline(started_at, days + extension_days + paused_workdays)


def due_basis(calendar: WorkCalendar, *, started_at: datetime, due: datetime) -> str | None:
    """Why a deadline counted from ``started_at`` to ``due`` is provisional, or None when every year it spans is known."""
    return calendar.provisional_reason(local_date(started_at), local_date(due))


def paused_workdays(calendar: WorkCalendar, started_at: datetime, ended_at: datetime) -> int:
    """The working days a pause covered (0 for a pause within one day)."""
    return max(0, calendar.workdays_between(local_date(started_at), local_date(ended_at)))


def overdue_workdays(calendar: WorkCalendar, deadline: datetime, now: datetime) -> int:
    """Working days elapsed since the deadline's day (0 on that day or before it)."""
    if now <= deadline:
        return 0
    return max(0, calendar.workdays_between(local_date(deadline), local_date(now)))


def ladder(calendar: WorkCalendar, *, deadline: datetime, now: datetime, policy: Policy) -> list[str]:
    """The ladder steps due at ``now`` for a clock that ends at ``deadline``, in order."""
    if now <= deadline:
        ahead = calendar.workdays_between(local_date(now), local_date(deadline))
        return ["prewarning"] if ahead <= policy.prewarning_workdays else []
    steps = ["urge"]
    late = overdue_workdays(calendar, deadline, now)
    if late >= policy.notice_after_workdays:
        steps.append("notice")
    if late >= policy.report_after_workdays:
        steps.append("report")
    return steps


def working_seconds(calendar: WorkCalendar, start: datetime, end: datetime, *,
                    work_start: time, work_end: time) -> float:
    """Seconds between two moments that fall in working hours of working days (Asia/Shanghai)."""
    if end <= start:
        return 0.0
    day = local_date(start)
    last = local_date(end)
    if (last - day).days > MAX_SPAN_DAYS:
        raise ValueError("span too long to count working hours")
    total = 0.0
    while day <= last:
        if calendar.is_workday(day):
            opens = datetime.combine(day, work_start, tzinfo=SHANGHAI)
            closes = datetime.combine(day, work_end, tzinfo=SHANGHAI)
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile of ``values`` (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(share * 100) * len(ordered) // 100))
    return ordered[min(rank, len(ordered)) - 1]
