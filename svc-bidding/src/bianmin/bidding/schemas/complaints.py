"""Schemas of complaints (投诉) and the supervising department's decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from bianmin.bidding.schemas.common import Text
from bianmin.kit.schemas import CreditCode, RequestBody

__all__ = ["Attachment", "ComplaintCreate", "ComplaintDecision", "ComplaintRead"]


class Attachment(RequestBody):
    """A file of evidence named by its SHA-256; the bidding service stores the hash, never the file."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file, 64 lowercase hex digits.")
    name: str = Field(min_length=1, max_length=200)
    size: int = Field(ge=1, le=1 << 30, description="Bytes, at most 1 GiB.")


class ComplaintCreate(RequestBody):
    """A complaint (投诉) within 10 days of knowing of the matter (§60)."""

    credit_code: CreditCode | None = Field(
        default=None, description="The enterprise complaining; omitted when a person complains in their own name.")
    interest: str | None = Field(default=None, min_length=1, max_length=2000, description=(
        "How the complainant is concerned (利害关系), required unless it registered for the project."))
    text: Text
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)
    known_at: AwareDatetime = Field(description="When the complainant knew or should have known of the matter.")
    matter: Literal["opening", "evaluation_result", "other"] = Field(
        default="other", description="Complaints on the opening or the evaluation result need an objection first (§60).")


class ComplaintDecision(RequestBody):
    """The supervising department's decision on a complaint."""

    outcome: Literal["upheld", "dismissed", "not_accepted"] = Field(description=(
        "not_accepted (不予受理) before acceptance; upheld or dismissed after it."))
    text: Text


class ComplaintRead(BaseModel):
    """A complaint and its handling."""

    id: str
    project_code: str
    complainant_credit_code: str | None
    complainant_kind: str = Field(description="bidder (registered for the project), interested_party, or person.")
    complainant_id: str | None
    interest: str | None
    attachments: list[Attachment]
    matter: str
    text: str
    known_at: datetime
    filed_at: datetime
    due_at: datetime
    due_provisional: bool = Field(description=(
        "True when the deadline runs into a year whose State Council holiday notice was not loaded when it was "
        "counted: days there were counted by weekends alone, so it may still move."))
    due_basis: str | None = Field(description="Why the deadline is provisional; null when it is not.")
    accept_due_at: datetime | None = Field(description="Acceptance (受理) is due by then (3 working days, §61).")
    accepted_at: datetime | None
    accepted_by: str | None
    accept_overdue: bool = Field(description="Accepted, or still not accepted, after accept_due_at.")
    status: str = Field(description="pending, accepted, then upheld or dismissed; or not_accepted.")
    decision: str | None
    decided_at: datetime | None
    decided_by: str | None
