"""Schemas of online ascending auctions (网上竞价): the setup, bids and final offers, and the public state."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from bianmin.bidding.schemas.common import PositiveYuan, Yuan
from bianmin.kit.schemas import CreditCode, RequestBody

__all__ = ["AuctionBidCreate", "AuctionRead", "AuctionSetup"]


class AuctionSetup(RequestBody):
    """An online ascending auction for land use rights or state property."""

    reserve_price: PositiveYuan
    increment: PositiveYuan
    price_cap: PositiveYuan | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    extension_minutes: int = Field(default=5, ge=1, le=60)
    final_offer_minutes: int = Field(default=30, ge=5, le=1440)


class AuctionBidCreate(RequestBody):
    """An ascending bid, or a sealed final offer once the cap is reached."""

    credit_code: CreditCode
    amount: PositiveYuan


class AuctionRead(BaseModel):
    """An auction's public state."""

    project_code: str
    reserve_price: Yuan
    increment: Yuan
    price_cap: Yuan | None
    starts_at: datetime
    ends_at: datetime
    status: str
    current_price: Yuan | None
    leader_credit_code: str | None
    final_round_ends_at: datetime | None
    capped_by: str | None
    winner_credit_code: str | None
    winning_price: Yuan | None
    bids: int
