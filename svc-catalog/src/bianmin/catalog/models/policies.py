"""Policy redemption (政策兑现): policies and their redemptions to enterprises."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.catalog.models import Base


class Policy(Base):
    """A policy (惠企政策) a department redeems to enterprises, with its expected amount and period."""

    __tablename__ = "policy"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    department_code: Mapped[str] = mapped_column(ForeignKey("department.code"), index=True)
    expected_amount: Mapped[Decimal]
    period_start: Mapped[date]
    period_end: Mapped[date]
    created_at: Mapped[datetime]


class Redemption(Base):
    """A redemption of a policy to one enterprise (政策兑现), with its amount and status."""

    __tablename__ = "redemption"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    policy_code: Mapped[str] = mapped_column(ForeignKey("policy.code"), index=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(20))
    # Who recorded it (``kind:id`` or the key id): that caller never approves it (separation of duties).
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
