"""The buyer's project registry (项目库) and the direct-contract filings the platform refused.

Splitting (化整为零) is judged per buyer and per work: a work is a subject of the buyer's registry,
registered once, so that the same work cannot come back under a new free-text name. A refused
filing is kept as evidence for the supervisors, never discarded (see ``domain/filings.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class ProjectSubject(Base):
    """One work (工程、货物或服务) of a buyer's project registry; its kind sets the tender threshold."""

    __tablename__ = "project_subject"
    __table_args__ = (UniqueConstraint("buyer_credit_code", "code"), UniqueConstraint("buyer_credit_code", "name_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_credit_code: Mapped[str] = mapped_column(String(18), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    # The name folded (case, spaces) so that a renamed copy of a registered work is refused.
    name_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(20))
    site_code: Mapped[str] = mapped_column(String(20))
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class RefusedFiling(Base):
    """A direct-contract filing refused by a rule (over the threshold, or split), kept for supervision."""

    __tablename__ = "refused_filing"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    site_code: Mapped[str] = mapped_column(String(20))
    buyer_credit_code: Mapped[str] = mapped_column(String(18), index=True)
    buyer_name: Mapped[str] = mapped_column(String(200))
    subject_code: Mapped[str] = mapped_column(String(40))
    contractor_credit_code: Mapped[str] = mapped_column(String(18))
    amount: Mapped[Decimal]
    signed_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)
    refused_at: Mapped[datetime]
    filed_by: Mapped[str] = mapped_column(String(120))
