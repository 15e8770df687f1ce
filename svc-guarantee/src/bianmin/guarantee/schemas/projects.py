"""The tenders this service knows from bidding, as answered by ``GET /projects/{code}``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field


class SectionRead(BaseModel):
    """A section's bid bond and, once awarded, its winner."""

    code: str
    name: str
    bid_bond_amount: Decimal
    winner_credit_code: str | None
    award_amount: Decimal | None
    failed_at: datetime | None


class ProjectRead(BaseModel):
    """A tender as the guarantee service knows it."""

    code: str
    name: str
    site_code: str
    tenderer_name: str
    tenderer_credit_code: str
    bid_deadline: datetime
    opening_at: datetime
    bid_valid_until: date = Field(description="The last day of the bid validity period; a bid bond expires no "
                                              "earlier (招标投标法实施条例 §25, §26).")
    closed_at: datetime | None
    failed_at: datetime | None
    awarded_at: datetime | None
    sections: list[SectionRead]
