"""Schemas of the electronic suggestion box (电子意见箱)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from bianmin.consult.schemas.common import (
    AskingSite,
    Body,
    BoxKind,
    DepartmentCode,
    DueBasis,
    DueProvisional,
    LongText,
    Name,
    Phone,
    Title,
)
from bianmin.kit.schemas import RequestBody


class SuggestionCreate(RequestBody):
    """A suggestion, complaint or praise to a department; anonymous ones carry no contact at all."""

    kind: BoxKind
    department_code: DepartmentCode
    title: Title
    body: Body
    anonymous: bool = False
    contact_name: Name | None = None
    contact_phone: Phone | None = None
    site_code: AskingSite | None = None


class SuggestionReceipt(BaseModel):
    """The answer to a new entry: the tracking code (shown once) and the reply deadline."""

    tracking_code: str = Field(description="The only way to follow the entry; shown once.")
    status: str
    submitted_at: datetime
    due_at: datetime
    due_provisional: DueProvisional
    due_basis: DueBasis


class SuggestionTrack(BaseModel):
    """What the tracking code shows: the status and the reply, nothing else."""

    status: str
    reply: str | None
    replied_at: datetime | None


class SuggestionRead(BaseModel):
    """A suggestion-box entry as the department sees it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    tenant: str
    kind: str
    department_code: str
    title: str
    body: str
    anonymous: bool
    contact_name: str | None
    contact_phone: str | None
    status: str
    submitted_at: datetime
    due_at: datetime
    due_provisional: DueProvisional
    due_basis: DueBasis
    reply: str | None
    replied_by: str | None
    replied_at: datetime | None
    closed_at: datetime | None


class SuggestionEscalationRead(BaseModel):
    """A step of the escalation ladder an entry reached."""

    model_config = ConfigDict(from_attributes=True)

    step: str
    department_code: str
    supervisor_code: str | None
    due_at: datetime
    at: datetime


class SuggestionDetail(SuggestionRead):
    """An entry with the escalation steps it reached."""

    escalations: list[SuggestionEscalationRead]


class ReplyBody(RequestBody):
    """The department's reply."""

    reply: LongText
