"""Request and response models of the queue service's API.

Personal data leaves the service masked: names as ``张*``, ID numbers as ``330682********1234``,
phones as ``138****5678``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Prefix = Annotated[str, StringConstraints(pattern=r"^[A-Z]$")]
ItemCode = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PHONE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")


class Closed(BaseModel):
    """A request body that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid")


class HallCreate(Closed):
    """Open a hall at a site."""

    code: str = Field(description="Site code: 330199000 (district) or 330199001-330199010 (townships).")
    name: Text100
    address: Annotated[str, StringConstraints(max_length=200)] = ""
    alert_wait_minutes: int = Field(default=30, ge=1, le=480)
    alert_waiting_count: int = Field(default=10, ge=1, le=10000)


class HallUpdate(Closed):
    """Change a hall's name, address or alert thresholds."""

    name: Text100 | None = None
    address: Annotated[str, StringConstraints(max_length=200)] | None = None
    alert_wait_minutes: int | None = Field(default=None, ge=1, le=480)
    alert_waiting_count: int | None = Field(default=None, ge=1, le=10000)


class HallRead(BaseModel):
    """A hall."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    tenant: str
    address: str
    alert_wait_minutes: int
    alert_waiting_count: int


class LineCreate(Closed):
    """Add a business line to a hall."""

    prefix: Prefix = Field(description="The letter its numbers start with (A).")
    name: Text100
    daily_cap: int = Field(default=300, ge=1, le=999)
    item_codes: list[ItemCode] = Field(default_factory=list, max_length=200)


class LineUpdate(Closed):
    """Change a line."""

    name: Text100 | None = None
    daily_cap: int | None = Field(default=None, ge=1, le=999)
    active: bool | None = None
    item_codes: list[ItemCode] | None = Field(default=None, max_length=200)


class LineItemRead(BaseModel):
    """An item a line serves, named from the catalog's read model when known."""

    code: str
    name: str | None
    status: str | None
    known: bool


class LineRead(BaseModel):
    """A business line."""

    id: int
    hall_code: str
    prefix: str
    name: str
    daily_cap: int
    active: bool
    items: list[LineItemRead]


class CounterLineIn(Closed):
    """A line a counter serves and its weight."""

    line: Prefix
    weight: int = Field(default=1, ge=1, le=10)


class CounterCreate(Closed):
    """Add a counter to a hall."""

    number: int = Field(ge=1, le=999)
    name: Annotated[str, StringConstraints(max_length=100)] = ""
    state: Literal["open", "paused", "closed"] = "closed"
    staff_name: Name | None = None
    lines: list[CounterLineIn] = Field(min_length=1, max_length=26)


class CounterUpdate(Closed):
    """Open, pause or close a counter; change its staff or lines."""

    state: Literal["open", "paused", "closed"] | None = None
    staff_name: Name | None = None
    clear_staff: bool = False
    name: Annotated[str, StringConstraints(max_length=100)] | None = None
    lines: list[CounterLineIn] | None = Field(default=None, min_length=1, max_length=26)


class CounterLineRead(BaseModel):
    """A line a counter serves."""

    line: str
    weight: int


class CounterRead(BaseModel):
    """A counter."""

    id: int
    hall_code: str
    number: int
    name: str
    state: str
    staff_name: str | None
    lines: list[CounterLineRead]


class PersonIn(Closed):
    """Who a ticket or appointment is for."""

    name: Name | None = None
    id_number: Annotated[str, StringConstraints(min_length=18, max_length=18)] | None = None
    phone: str | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not PHONE.fullmatch(value):
            raise ValueError("must be a mobile number (11 digits) or a landline with area code")
        return value


class TicketCreate(PersonIn):
    """Take a number at a hall."""

    hall_code: str
    line: Prefix
    item_code: ItemCode | None = None
    disabled: bool = False
    green_channel: bool = False


class TicketRead(BaseModel):
    """A ticket, with personal data masked."""

    id: int
    number: str
    hall_code: str
    line: str
    original_line: str
    service_date: date
    kind: str
    state: str
    name: str | None
    id_number: str | None
    item_code: str | None
    priorities: list[str]
    late_arrival: bool
    due_at: datetime | None
    issued_at: datetime
    first_called_at: datetime | None
    called_at: datetime | None
    completed_at: datetime | None
    counter_id: int | None
    target_counter_id: int | None
    recall_count: int
    transfer_count: int
    service_seconds: int
    call_reason: str | None
    people_ahead: int | None = None
    estimated_wait_minutes: int | None = None


class CallNextRead(BaseModel):
    """The answer to call-next: the ticket, why it was picked, and the score details."""

    ticket: TicketRead | None
    reason: str
    score: dict[str, Any] = Field(default_factory=dict)
    announcement: str | None = None
    call_seq: int | None = None


class TransferIn(Closed):
    """Where to send a ticket, and whether it returns afterwards."""

    line: Prefix | None = None
    counter_id: int | None = Field(default=None, ge=1)
    return_after: bool = False

    @model_validator(mode="after")
    def _somewhere(self) -> TransferIn:
        if self.line is None and self.counter_id is None:
            raise ValueError("name a line or a counter_id to transfer to")
        return self


class SlotPlan(Closed):
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


class SlotPlanRead(BaseModel):
    """The slots a plan created."""

    created: int
    slots: list[SlotRead]


class AppointmentCreate(PersonIn):
    """Book a slot."""

    slot_id: int = Field(ge=1)
    name: Name
    id_number: Annotated[str, StringConstraints(min_length=18, max_length=18)]
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


class CheckIn(Closed):
    """The citizen presents the ID number the appointment was booked with."""

    id_number: Annotated[str, StringConstraints(min_length=18, max_length=18)]


class EvaluationCreate(Closed):
    """Rate a service: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意."""

    level: int = Field(ge=1, le=5)
    comment: Annotated[str, StringConstraints(max_length=1000)] = ""


class EvaluationRead(BaseModel):
    """An evaluation, and the rectification it opened if it was bad."""

    id: int
    ticket_id: int
    hall_code: str
    level: int
    level_name: str
    bad_review: bool
    comment: str
    created_at: datetime
    rectification_id: int | None


class RectificationAction(Closed):
    """A step of the rectification flow."""

    action: Literal["contact", "fix", "re_rate", "appeal", "appeal_upheld", "appeal_rejected"]
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    level: int | None = Field(default=None, ge=1, le=5, description="The citizen's re-rating (追评), for re_rate.")


class RectificationRead(BaseModel):
    """A rectification case of a bad review."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    evaluation_id: int
    hall_code: str
    state: str
    contact_due: date
    fix_due: date
    contacted_at: datetime | None
    contact_note: str
    fixed_at: datetime | None
    fix_note: str
    re_rated_level: int | None
    appeal_reason: str
    opened_at: datetime
    closed_at: datetime | None
    overdue: bool = False


class PastTicketIn(Closed):
    """A finished ticket of the hall's previous queue system."""

    line: Prefix
    counter_number: int = Field(ge=1, le=999)
    state: Literal["done", "no_show"]
    issued_at: datetime
    called_at: datetime
    started_at: datetime | None = None
    completed_at: datetime
    level: int | None = Field(default=None, ge=1, le=5)

    @field_validator("issued_at", "called_at", "started_at", "completed_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must carry a timezone offset")
        return value


class TicketImport(Closed):
    """A batch of finished tickets to import."""

    tickets: list[PastTicketIn] = Field(min_length=1, max_length=1000)


class TicketImportRead(BaseModel):
    """How many tickets were imported."""

    imported: int
