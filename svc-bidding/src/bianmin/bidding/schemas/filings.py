"""Schemas of the buyer's project registry (项目库) and of refused direct-contract filings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bianmin.bidding.schemas.common import ProjectSite
from bianmin.bidding.schemas.projects import Level
from bianmin.kit.schemas import CreditCode, RequestBody

WorkKind = Literal["works", "goods", "services"]
SubjectCode = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", examples=["ROAD-1"])]

__all__ = ["SubjectCode", "SubjectCreate", "SubjectRead", "WorkKind"]


class SubjectCreate(RequestBody):
    """A work of a buyer's registry; filings name it by code, and its kind sets the tender threshold."""

    buyer_credit_code: CreditCode
    code: SubjectCode
    name: str = Field(min_length=1, max_length=200, description="Registered once per buyer, case and spaces aside.")
    kind: WorkKind = Field(description="施工 works, 货物 goods, or 勘察设计监理等 services (发改委令第16号 §5).")
    level: Level
    site_code: ProjectSite


class SubjectRead(BaseModel):
    """A registered work."""

    model_config = ConfigDict(from_attributes=True)

    buyer_credit_code: str
    code: str
    name: str
    kind: str
    level: str
    site_code: str
    created_at: datetime
