"""Schemas of complaints (投诉) and the supervising department's decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from bianmin.bidding.schemas.common import Text
from bianmin.kit.schemas import CreditCode, RequestBody

__all__ = ["ComplaintCreate", "ComplaintDecision", "ComplaintRead"]


class ComplaintCreate(RequestBody):
    """A complaint (投诉) within 10 days of knowing of the matter (§60)."""

    credit_code: CreditCode
    text: Text
    known_at: AwareDatetime = Field(description="When the complainant knew or should have known of the matter.")
    matter: Literal["opening", "evaluation_result", "other"] = Field(
        default="other", description="Complaints on the opening or the evaluation result need an objection first (§60).")


class ComplaintDecision(RequestBody):
    """The supervising department's decision on a complaint."""

    outcome: Literal["upheld", "dismissed"]
    text: Text


class ComplaintRead(BaseModel):
    """A complaint and its handling."""

    id: str
    project_code: str
    complainant_credit_code: str
    matter: str
    text: str
    known_at: datetime
    filed_at: datetime
    due_at: datetime
    due_provisional: bool = Field(description=(
        "True when the deadline runs into a year whose State Council holiday notice was not loaded when it was "
        "counted: days there were counted by weekends alone, so it may still move."))
    due_basis: str | None = Field(description="Why the deadline is provisional; null when it is not.")
    status: str
    decision: str | None
    decided_at: datetime | None
    decided_by: str | None
