"""Schemas of consultations: what an asker sends, what staff and the asker see, and the actions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bianmin.consult.schemas.common import (
    AskingSite,
    Body,
    Channel,
    DepartmentCode,
    DueBasis,
    DueProvisional,
    Email,
    ItemCode,
    Kind,
    Level,
    LongText,
    Name,
    Phone,
    Reason,
    Title,
)
from bianmin.kit.schemas import RequestBody


class ConsultationCreate(RequestBody):
    """A question asked online, at a kiosk or by phone."""

    kind: Kind = "consultation"
    title: Title
    body: Body
    item_code: ItemCode | None = Field(None, description="The service item (实施编码) the question is about.")
    department_code: DepartmentCode | None = Field(None, description="The department the asker chose.")
    channel: Channel = "web"
    contact_name: Name
    contact_phone: Phone | None = None
    contact_email: Email | None = None
    consent_publish: bool = Field(False, description="The asker agrees to publication of the redacted Q&A.")
    site_code: AskingSite | None = Field(None, description=(
        "The site asked at; defaults to the caller's own, else to the deployment's configured district hall "
        "(required where none is configured)."))


class MessageRead(BaseModel):
    """One exchange on a consultation."""

    model_config = ConfigDict(from_attributes=True)

    author: str
    kind: str
    text: str
    at: datetime


class ConsultationRead(BaseModel):
    """A consultation as department staff see it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    number: str
    tenant: str
    kind: str
    channel: str
    title: str
    body: str
    item_code: str | None
    department_code: str | None
    routed_by: str
    topic: str
    contact_name: str
    contact_phone: str | None
    contact_email: str | None
    consent_publish: bool
    status: str
    submitted_at: datetime
    due_at: datetime
    due_provisional: DueProvisional
    due_basis: DueBasis
    paused_since: datetime | None
    round: int
    answer: str | None
    answered_at: datetime | None
    answered_on_time: bool | None
    closed_at: datetime | None
    rating: str | None
    article_id: str | None


class TransferRead(BaseModel):
    """A transfer between departments."""

    model_config = ConfigDict(from_attributes=True)

    from_department: str | None
    to_department: str
    reason: str
    by_key: str
    at: datetime


class PauseRead(BaseModel):
    """A pause of the clock while waiting for the asker."""

    model_config = ConfigDict(from_attributes=True)

    started_at: datetime
    ended_at: datetime | None
    workdays: int | None


class EscalationRead(BaseModel):
    """A step of the escalation ladder that was taken."""

    model_config = ConfigDict(from_attributes=True)

    round: int
    ladder: int = Field(description="0 for the first ladder of the round; n after the n-th approved extension.")
    step: str
    department_code: str | None
    due_at: datetime
    at: datetime


class ExtensionRead(BaseModel):
    """A request for more time and its decision."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    days: int
    reason: str
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None


class ConsultationDetail(ConsultationRead):
    """A consultation with its history."""

    messages: list[MessageRead]
    transfers: list[TransferRead]
    pauses: list[PauseRead]
    escalations: list[EscalationRead]
    extensions: list[ExtensionRead]


class AskerView(BaseModel):
    """What the asker sees through their access code: their question, its status and the answer."""

    number: str
    kind: str
    title: str
    status: str
    department_code: str | None
    submitted_at: datetime
    due_at: datetime
    due_provisional: DueProvisional
    due_basis: DueBasis
    answer: str | None
    answered_at: datetime | None
    rating: str | None
    reopen_until: datetime | None
    messages: list[MessageRead]


class ConsultationReceipt(BaseModel):
    """The answer to a new consultation: its number, deadline and the asker's access code (shown once)."""

    id: str
    number: str
    status: str
    department_code: str | None
    due_at: datetime
    due_provisional: DueProvisional
    due_basis: DueBasis
    access_code: str = Field(description="Keep it: it is the only way to follow, reopen and rate. Shown once.")


class AssignBody(RequestBody):
    """Route a triaged question to a department."""

    department_code: DepartmentCode


class TransferBody(RequestBody):
    """Move a question to another department, saying why."""

    department_code: DepartmentCode
    reason: Reason


class MessageBody(RequestBody):
    """A message: a request for information, or the asker's reply."""

    message: Body


class AnswerBody(RequestBody):
    """The department's answer."""

    answer: LongText


class ReasonBody(RequestBody):
    """Why the asker reopens an answered question."""

    reason: Reason


class ExtensionBody(RequestBody):
    """A request for more working days, before the deadline."""

    days: Annotated[int, Field(ge=1, le=30)]
    reason: Reason


class RatingBody(RequestBody):
    """The asker's rating of the answer (好差评 levels)."""

    level: Level
    comment: Annotated[str, Field(max_length=1000)] | None = None


class RectificationRead(BaseModel):
    """The case a bad rating opened."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    consultation_id: str
    department_code: str | None
    status: str
    opened_at: datetime
    contact_due_at: datetime
    fix_due_at: datetime
    contacted_at: datetime | None
    fixed_at: datetime | None
    note: str | None
    follow_up_rating: str | None
    closed_at: datetime | None


class FixBody(RequestBody):
    """What the department did to put things right."""

    note: LongText
