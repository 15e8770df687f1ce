"""Online ascending auctions (网上竞价) of land use rights and state property, and their offers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class Auction(Base):
    """An online ascending auction (网上竞价) of land use rights or state property."""

    __tablename__ = "auction"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), unique=True)
    reserve_price: Mapped[Decimal]
    increment: Mapped[Decimal]
    price_cap: Mapped[Decimal | None]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # 挂牌 (listing) or 拍卖 (auction): a land listing runs its statutory days (domain/sale_periods.py).
    sale_method: Mapped[str] = mapped_column(String(20), default="listing", server_default="listing")
    extension_minutes: Mapped[int]
    final_offer_minutes: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    current_price: Mapped[Decimal | None]
    leader_credit_code: Mapped[str | None] = mapped_column(String(18))
    final_round_ends_at: Mapped[datetime | None]
    winner_credit_code: Mapped[str | None] = mapped_column(String(18))
    winning_price: Mapped[Decimal | None]
    capped_by: Mapped[str | None] = mapped_column(String(18))
    cap_mode: Mapped[str | None] = mapped_column(String(20))
    second_item: Mapped[str | None] = mapped_column(String(100))
    draw_seed: Mapped[str | None] = mapped_column(String(64))
    draw_commitment: Mapped[str | None] = mapped_column(String(64))
    draw_entrants: Mapped[list[str] | None] = mapped_column(JSON)
    winning_second_value: Mapped[Decimal | None]
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class AuctionBid(Base):
    """One offer in an auction: an ascending bid or a sealed final offer after the cap was reached."""

    __tablename__ = "auction_bid"

    id: Mapped[int] = mapped_column(primary_key=True)
    auction_id: Mapped[int] = mapped_column(ForeignKey("auction.id"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal]
    second_value: Mapped[Decimal | None]
    at: Mapped[datetime]
