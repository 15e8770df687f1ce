"""Schemas of tickets, calling, transfers and imports of past tickets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from bianmin.kit.schemas import RequestBody, SiteCode
from bianmin.queue.schemas.common import ItemCode, PersonIn, Prefix


class TicketCreate(PersonIn):
    """Take a number at a hall."""

    hall_code: SiteCode
    line: Prefix
    item_code: ItemCode | None = None
    disabled: bool = False
    green_channel: bool = False


class TicketRead(BaseModel):
    """A ticket, with personal data masked (unmasked only for a clerk of the hall at the counter, and logged)."""

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


class TransferIn(RequestBody):
    """Where to send a ticket, and whether it returns afterwards."""

    line: Prefix | None = None
    counter_id: int | None = Field(default=None, ge=1, le=2_147_483_647)
    return_after: bool = False

    @model_validator(mode="after")
    def _somewhere(self) -> TransferIn:
        if self.line is None and self.counter_id is None:
            raise ValueError("name a line or a counter_id to transfer to")
        return self


class PastTicketIn(RequestBody):
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


class TicketImport(RequestBody):
    """A batch of finished tickets to import."""

    tickets: list[PastTicketIn] = Field(min_length=1, max_length=1000)


class TicketImportRead(BaseModel):
    """How many tickets were imported."""

    imported: int
