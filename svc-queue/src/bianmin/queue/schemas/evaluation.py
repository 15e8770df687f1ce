"""Schemas of evaluations (好差评) and rectification cases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bianmin.kit.schemas import RequestBody


class EvaluationCreate(RequestBody):
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


class RectificationAction(RequestBody):
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
    deadline_provisional: bool = Field(default=False, description=(
        "True while a running case's deadlines reach into a year whose State Council holiday notice is not "
        "loaded: they are counted by weekends alone there and move to the right day once it is."))
    provisional_reason: str | None = Field(default=None, description="Why the deadlines are provisional.")
