"""Schemas of online ascending auctions (网上竞价): the setup, bids and final offers, and the public state."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from bianmin.bidding.schemas.common import BidderCode, PositiveYuan, Yuan
from bianmin.kit.schemas import RequestBody

__all__ = ["AuctionBidCreate", "AuctionFinalOffer", "AuctionRead", "AuctionSetup", "CapMode", "SaleMethod"]

CapMode = Literal["lottery", "second_item"]
SaleMethod = Literal["listing", "auction"]


class AuctionSetup(RequestBody):
    """An online ascending auction for land use rights or state property."""

    reserve_price: PositiveYuan
    increment: PositiveYuan
    price_cap: PositiveYuan | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    sale_method: SaleMethod = Field(default="listing", description=(
        "How the announcement sells the lot: `listing` (挂牌; a land listing runs from `starts_at` to `ends_at` at least "
        "10 days, 国土资源部令第39号 §19) or `auction` (拍卖). Either starts at least 20 days after the announcement "
        "(§8); a state-property sale's auction follows its disclosure of 20 working days (国资委 财政部令第32号 §13)."))
    extension_minutes: int = Field(default=5, ge=1, le=60)
    final_offer_minutes: int = Field(default=30, ge=5, le=1440)
    cap_mode: CapMode | None = Field(default=None, description=(
        "With a price cap, how the bidders at the cap are decided, as the announcement says: `lottery` (摇号) "
        "or `second_item` (a one-time sealed offer of a second item, e.g. self-held floor area, 竞自持)."))
    second_item: str | None = Field(default=None, min_length=1, max_length=100, description=(
        "What the second item is and its unit, as the announcement names it (e.g. 自持租赁住房面积比例(%))."))


class AuctionBidCreate(RequestBody):
    """An ascending bid, or a sealed final offer once the cap is reached."""

    credit_code: BidderCode
    amount: PositiveYuan


class AuctionFinalOffer(RequestBody):
    """A remaining bidder's one sealed offer once the cap is reached: at the cap, with the second item if asked."""

    credit_code: BidderCode
    amount: PositiveYuan = Field(description="The price cap: no offer above it is taken.")
    second_value: Decimal | None = Field(default=None, ge=0, max_digits=16, decimal_places=2, description=(
        "The offer of the second item (`second_item` mode only)."))


class AuctionRead(BaseModel):
    """An auction's public state."""

    project_code: str
    reserve_price: Yuan
    increment: Yuan
    price_cap: Yuan | None
    starts_at: datetime
    ends_at: datetime
    sale_method: SaleMethod = "listing"
    status: str
    current_price: Yuan | None
    leader_credit_code: str | None
    final_round_ends_at: datetime | None
    capped_by: str | None
    winner_credit_code: str | None
    winning_price: Yuan | None
    bids: int
    cap_mode: CapMode | None = None
    second_item: str | None = None
    draw_commitment: str | None = Field(default=None, description=(
        "SHA-256 (hex) over the raw bytes of the seed that decides at the cap, published from the setup."))
    draw_seed: str | None = Field(default=None, description="The seed itself, revealed once the auction ended.")
    draw_entrants: list[str] | None = Field(default=None, description="Who was decided among at the cap (once ended).")
    winning_second_value: Decimal | None = None
