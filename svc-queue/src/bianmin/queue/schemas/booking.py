"""Schemas of appointment slots, bookings and check-in."""

from __future__ import annotations

from datetime import date, datetime, time

from pydantic import BaseModel, Field

from bianmin.kit.schemas import RequestBody, ResidentId
from bianmin.queue.schemas.common import ItemCode, Name, PersonIn, Prefix


class SlotPlan(RequestBody):
    """Slots of a line for every working day of a date range."""

    line: Prefix
    from_date: date
    to_date: date
    times: list[tuple[time, time]] = Field(min_length=1, max_length=48,
                                           description="Start and end of each slot, local time.")
    capacity: int = Field(ge=1, le=500)


class SlotRead(BaseModel):
    """An appointment slot and how many places are left."""

    id: int
    hall_code: str
    line: str
    day: date
    start_at: datetime
    end_at: datetime
    capacity: int
    booked: int
    available: int


class SkippedDayRead(BaseModel):
    """A day of the plan that got no slots although it may be worked, and why."""

    day: date
    reason: str


class SlotPlanRead(BaseModel):
    """The slots a plan created, and the days it skipped because their year's holiday notice is not loaded."""

    created: int
    slots: list[SlotRead]
    skipped: list[SkippedDayRead] = Field(description="Days of a year without a loaded State Council holiday "
                                                      "notice: no slots until an operator loads it.")


class AppointmentCreate(PersonIn):
    """Book a slot."""

    slot_id: int = Field(ge=1, le=2_147_483_647)
    name: Name
    id_number: ResidentId
    item_code: ItemCode | None = None


class AppointmentRead(BaseModel):
    """An appointment, with personal data masked."""

    code: str
    hall_code: str
    line: str
    slot_id: int
    day: date
    start_at: datetime
    end_at: datetime
    name: str
    id_number: str
    state: str
    created_at: datetime
    ticket_id: int | None


class CheckIn(RequestBody):
    """The citizen presents the ID number the appointment was booked with."""

    id_number: ResidentId
