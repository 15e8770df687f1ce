"""Credit-repair (信用修复) applications."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from bianmin.kit.schemas import RequestBody


class RepairCreate(RequestBody):
    """A credit-repair application: what was corrected and the public commitment."""

    evidence: str = Field(min_length=1, max_length=4000)
    commitment: str = Field(min_length=1, max_length=4000)


class RepairRead(BaseModel):
    """A credit-repair application."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    record_id: int
    evidence: str
    commitment: str
    status: str
    submitted_at: datetime
    submitted_by: str
    decided_at: datetime | None
    decided_by: str | None
    decision_note: str
