"""Working days in Asia/Shanghai: weekends and public holidays off, make-up days (调休) on.

Each year's holidays and make-up working days come from the State Council's notice for that year
(国务院办公厅关于某年部分节假日安排的通知), loaded as data (:mod:`bianmin.kit.calendar`); an
operator-edited override table (date → working day or not) sits on top. A year whose notice is not
loaded is *unknown*: its days still count by weekends so that a request gets an answer, but every
answer that depends on one says so (:meth:`WorkCalendar.provisional_reason`), and appointment slots
are not offered on them. The day something is submitted is day zero: a three-working-day limit ends
on the third working day after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class WorkCalendar:
    """The district's working-day calendar: each known year's notice plus the operators' overrides."""

    def __init__(self, years: Mapping[int, Mapping[date, bool]] | None = None,
                 overrides: Mapping[date, bool] | None = None) -> None:
        self.years = {year: dict(days) for year, days in (years or {}).items()}
        self.overrides = dict(overrides or {})

    def knows(self, year: int) -> bool:
        """Whether the notice of ``year`` is loaded."""
        return year in self.years

    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day (by weekends alone in an unknown year: check :meth:`missing_years`)."""
        if day in self.overrides:
            return self.overrides[day]
        notice = self.years.get(day.year)
        if notice is not None and day in notice:
            return notice[day]
        return day.weekday() < 5

    def missing_years(self, first: date, last: date) -> list[int]:
        """The years from ``first`` to ``last`` (either order) whose notice is not loaded."""
        low, high = sorted((first.year, last.year))
        return [year for year in range(low, high + 1) if year not in self.years]

    def provisional_reason(self, first: date, last: date) -> str | None:
        """Why an answer counted over ``first``…``last`` may still move, or None when every year is known."""
        missing = self.missing_years(first, last)
        if not missing:
            return None
        years = ", ".join(str(year) for year in missing)
        return (f"the working-day calendar has no State Council holiday notice for {years}: "
                "days there are counted by weekends alone until an operator loads it")

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

    def digest(self, year: int) -> str | None:
        """SHA-256 of the year's working days as this calendar answers them (None for an unknown year).

        Two copies of the calendar agree on a year exactly when their digests do, whatever the mix
        of notice and overrides that produced the answers.
        """
        if year not in self.years:
            return None
        first = date(year, 1, 1)
        bits = "".join("1" if self.is_workday(first + timedelta(days=n)) else "0"
                       for n in range((date(year + 1, 1, 1) - first).days))
        return hashlib.sha256(f"{year}:{bits}".encode()).hexdigest()


def local_date(moment: datetime) -> date:
    """The calendar date of an aware moment in Asia/Shanghai."""
    return moment.astimezone(SHANGHAI).date()
