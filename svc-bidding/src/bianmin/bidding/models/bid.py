"""Bidders and their sealed bids: a registration per section, and every submitted version of a bid."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class Registration(Base):
    """A bidder registered for a section; every key bound to the enterprise acts for it (``owner_key`` records which registered)."""

    __tablename__ = "registration"
    __table_args__ = (UniqueConstraint("section_id", "credit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    credit_code: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    owner_key: Mapped[str] = mapped_column(String(100))
    # Who acted (``acting_id``: the signed-in account, else the key alone): 实施条例 §40(2) asks whether
    # one person handled several bidders' bids; the pages' shared key would make every account one.
    registered_by: Mapped[str | None] = mapped_column(String(120))
    registered_at: Mapped[datetime]
    signed_in_at: Mapped[datetime | None]
    # ``enterprise`` (keyed by its credit code) or ``person`` (a natural person buying state property, keyed
    # by a pseudonymous bidder code; ``name`` then holds the masked name that is shown, ``person_name`` and
    # ``id_number`` the person's own, which no view, event or export carries; ``domain/bidders.py``).
    bidder_kind: Mapped[str] = mapped_column(String(20), default="enterprise", server_default="enterprise")
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    person_name: Mapped[str | None] = mapped_column(String(200))
    # The signed-in account that registered a person: it alone acts for them.
    owner_subject: Mapped[str | None] = mapped_column(String(120), index=True)


class Bid(Base):
    """One sealed submission; a replacement is a new row and the old one stays as history."""

    __tablename__ = "bid"
    __table_args__ = (Index("ix_bid_section_status", "section_id", "status"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id"))
    credit_code: Mapped[str] = mapped_column(String(18))
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    ciphertext: Mapped[str] = mapped_column(Text)
    nonce: Mapped[str] = mapped_column(String(32))
    commitment: Mapped[str] = mapped_column(String(64))
    escrow_wrapped_key: Mapped[str | None] = mapped_column(Text)
    submitted_ip: Mapped[str | None] = mapped_column(String(64))
    device_fingerprint: Mapped[str | None] = mapped_column(String(200))
    # The code of the machine that made the bid file, as the bid tool records it (实施条例 §40(1)).
    machine_code: Mapped[str | None] = mapped_column(String(200))
    submitted_by: Mapped[str | None] = mapped_column(String(120))
    received_at: Mapped[datetime]
    receipt_signature: Mapped[str] = mapped_column(String(100))
    ended_at: Mapped[datetime | None]
    reveal_status: Mapped[str] = mapped_column(String(20), default="sealed")
    revealed_at: Mapped[datetime | None]
    price: Mapped[Decimal | None]
    duration_days: Mapped[int | None]
    project_manager: Mapped[str | None] = mapped_column(String(100))
    document_hashes: Mapped[list[str] | None] = mapped_column(JSON)
    deposit_secured: Mapped[bool | None]
    validity: Mapped[str | None] = mapped_column(String(20))
    invalid_reason: Mapped[str | None] = mapped_column(Text)
    technical_score: Mapped[Decimal | None]
    price_score: Mapped[Decimal | None]
    total_score: Mapped[Decimal | None]
    rank: Mapped[int | None]
    # 实施条例 §51(5): the rule and figures that flagged the price as abnormally low at evaluation,
    # and the committee's decision on the bidder's explanation (accepted or rejected).
    low_price_flag: Mapped[str | None] = mapped_column(Text)
    low_price_decision: Mapped[str | None] = mapped_column(String(20))
