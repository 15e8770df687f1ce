"""Schemas of evaluations (好差评): ratings, the steps of a rectification case, and the evaluation as read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bianmin.catalog.schemas.common import Text
from bianmin.kit.schemas import RequestBody


class EvaluationCreate(RequestBody):
    """A rating of one application, 5 非常满意 … 1 非常不满意."""

    application_number: Text = Field(min_length=1, max_length=40)
    level: int = Field(ge=1, le=5)
    comment: Text = Field(default="", max_length=1000)


class EvaluationStep(RequestBody):
    """A step of a rectification case: contact, rectify, second rating, appeal, appeal decision."""

    action: Literal["contact", "rectify", "rerate", "appeal", "decide_appeal"]
    note: Text = Field(default="", max_length=1000)
    level: int | None = Field(default=None, ge=1, le=5, description="The second rating (追评), for rerate.")
    upheld: bool | None = Field(default=None, description="For decide_appeal: True removes the review as malicious.")


class EvaluationRead(BaseModel):
    """A rating and its rectification case."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    application_number: str
    site_code: str
    department_code: str
    level: int
    level_name: str
    bad: bool
    comment: str
    submitted_at: datetime
    case_status: str | None
    contact_due: date | None
    fix_due: date | None
    contacted_at: datetime | None
    rectified_at: datetime | None
    second_level: int | None
    appeal_reason: str
    appeal_decision: str | None
