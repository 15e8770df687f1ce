"""Schemas of policy redemption (政策兑现): policies and redemptions to enterprises."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bianmin.catalog.schemas.common import Name, Text
from bianmin.kit.schemas import CreditCode, RequestBody


class PolicyCreate(RequestBody):
    """A policy with its department, expected amount and period."""

    code: Text = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z_-]{1,39}$")
    name: Name
    department_code: Text = Field(max_length=40)
    expected_amount: Decimal = Field(gt=0, le=Decimal("100000000000"), decimal_places=2)
    period_start: date
    period_end: date


class PolicyRead(BaseModel):
    """A policy."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    department_code: str
    expected_amount: Decimal
    period_start: date
    period_end: date


class RedemptionCreate(RequestBody):
    """A redemption of a policy to an enterprise, named by its credit code (check character verified)."""

    credit_code: CreditCode
    enterprise_name: Name
    amount: Decimal = Field(gt=0, le=Decimal("10000000000"), decimal_places=2)


class RedemptionStatusChange(RequestBody):
    """Approve, pay or reject a redemption."""

    status: Literal["approved", "paid", "rejected"]


class RedemptionRead(BaseModel):
    """A redemption."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    policy_code: str
    credit_code: str
    enterprise_name: str
    amount: Decimal
    status: str
    created_at: datetime
