"""Schemas of the district's working-day calendar."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from bianmin.catalog.schemas.common import Text
from bianmin.kit.schemas import RequestBody


class CalendarDayRead(BaseModel):
    """A day of the district calendar and why it is (not) a working day."""

    day: date
    workday: bool
    source: Literal["override", "statutory", "weekend"]
    note: str = ""


class CalendarDaySet(RequestBody):
    """An operator's override of a day (节假日 or 调休)."""

    workday: bool
    note: Text = Field(default="", max_length=200)
