"""Working days in Asia/Shanghai: weekends and public holidays off, make-up days (调休) on.

The State Council's yearly notices come from the ``chinese-calendar`` package; an operator-edited
override table (date → working day or not) sits on top of it, and a year the package does not
know falls back to weekends-only with a warning rather than failing a request. The day something
is submitted is day zero: a three-working-day limit ends on the third working day after it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger("bianmin.workdays")
SHANGHAI = ZoneInfo("Asia/Shanghai")


class WorkCalendar:
    """The district's working-day calendar: the statutory notices plus the operators' overrides."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self.overrides = dict(overrides or {})
        self._warned_years: set[int] = set()

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day in the district."""
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._warned_years:
                self._warned_years.add(day.year)
                log.warning("no holiday data for this year; counting weekends only",
                            extra={"year": day.year})
            return day.weekday() < 5

    def add_workdays(self, start: date, days: int) -> date:
        """The date that is ``days`` working days after ``start`` (``start`` itself is day zero)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_workday(current):
                remaining -= 1
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_workday(start + timedelta(days=n)))

    def deadline(self, submitted_at: datetime, days: int, *, closing: time = time(23, 59, 59)) -> datetime:
        """The end of the last working day of a limit that starts at ``submitted_at`` (aware)."""
        if submitted_at.tzinfo is None:
            raise ValueError("submitted_at must be timezone-aware")
        local_day = submitted_at.astimezone(SHANGHAI).date()
        return datetime.combine(self.add_workdays(local_day, days), closing, tzinfo=SHANGHAI)


def local_date(moment: datetime) -> date:
    """The calendar date of an aware moment in Asia/Shanghai."""
    return moment.astimezone(SHANGHAI).date()
