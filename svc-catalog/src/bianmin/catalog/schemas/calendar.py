"""Schemas of the district's working-day calendar: a day's answer, an operator's override, a year's notice and its versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from bianmin.catalog.schemas.common import Text
from bianmin.kit.schemas import RequestBody


class CalendarDayRead(BaseModel):
    """A day of the district calendar and why it is (not) a working day.

    ``source`` says what answered: ``override`` (an operator set the day), ``notice`` (the year's
    State Council notice is loaded: a day it names carries the holiday's ``name``, any other day
    counts by weekends) or ``unknown`` (no notice for the year: weekends guessed, ``provisional``).
    """

    day: date
    workday: bool
    source: Literal["override", "notice", "unknown"]
    name: str = Field(default="", description="The holiday a day of the notice belongs to (元旦, 春节, ...).")
    notice: str | None = Field(default=None, description="The notice that answers for the day's year.")
    note: str = Field(default="", description="The operator's note on an overridden day.")
    provisional: bool = Field(default=False, description="True in a year without a notice: the answer may still move.")


class CalendarDaySet(RequestBody):
    """An operator's override of a day (节假日 or 调休)."""

    workday: bool
    note: Text = Field(default="", max_length=200)


class NoticeDayEntry(RequestBody):
    """A day a notice names: a holiday (``workday`` false) or a make-up working day on a weekend (调休上班)."""

    day: date
    workday: bool
    name: Text = Field(default="", max_length=60, description="The holiday the day belongs to (元旦, 春节, ...).")


class CalendarYearLoad(RequestBody):
    """A year's State Council holiday notice (国务院办公厅关于…部分节假日安排的通知), loaded whole."""

    notice: Text = Field(min_length=1, max_length=200, description="The notice's reference, e.g. 国办发明电〔2026〕N号.")
    days: list[NoticeDayEntry] = Field(min_length=1, max_length=366,
                                       description="Every holiday and make-up working day of the year.")
    expected_version: int | None = Field(
        default=None, ge=0, description="The version the operator saw (0: none yet); 409 when it is not the stored one.")


class CalendarYearFile(CalendarYearLoad):
    """A notice as the command line reads it from a file: the body of ``PUT /calendar/years/{year}`` plus ``year``."""

    year: int


class CalendarVersionRead(BaseModel):
    """One version of a year's calendar: the notice, its days, the digest of the result, who loaded it and when."""

    year: int
    version: int
    notice: str
    days: list[NoticeDayEntry]
    digest: str = Field(description="SHA-256 of the year's working days under this notice (before any day's override).")
    loaded_by: str
    loaded_at: datetime


class CalendarLoadRead(CalendarVersionRead):
    """The year's version after a load; ``changed`` is false when the same notice and days were loaded already."""

    changed: bool
