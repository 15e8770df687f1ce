"""Schemas of applications (办件), evaluations (好差评) and policy redemption (政策兑现)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bianmin.catalog.schemas.catalog import Channel, Closed, ShortText

ApplicationStatus = Literal["submitted", "accepted", "approved", "rejected", "completed", "withdrawn"]
Phone = Annotated[str, Field(pattern=r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$", description="Mobile or landline number.")]


class Applicant(Closed):
    """Who applies: a natural person (resident ID) or a legal person (unified social credit code)."""

    type: Literal["natural", "legal"]
    id_number: str = Field(min_length=1, max_length=18, description="Resident ID (GB 11643) or credit code (GB 32100).")
    name: ShortText
    phone: Phone


class SuppliedMaterial(Closed):
    """A material handed in; an electronic licence number (电子证照) makes it verified."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    licence_no: str | None = Field(default=None, min_length=1, max_length=60)


class ApplicationCreate(Closed):
    """A new application (办件)."""

    item_code: str = Field(min_length=1, max_length=60)
    site_code: str = Field(min_length=1, max_length=20)
    channel: Channel
    applicant: Applicant
    materials: list[SuppliedMaterial] = Field(default_factory=list, max_length=100)
    received_at: AwareDatetime | None = Field(
        default=None, description="Back-entry (补录) of an application received earlier; catalog:admin only.")


class MaterialRead(BaseModel):
    """A material as recorded on an application."""

    name: str
    licence_no: str | None = None
    verified: bool


class StepRead(BaseModel):
    """One step of an application's handling."""

    model_config = ConfigDict(from_attributes=True)

    from_status: str | None
    to_status: str
    actor: str
    note: str
    at: datetime


class ApplicationRead(BaseModel):
    """An application; the applicant's ID, name and phone are masked in lists for non-district keys."""

    number: str
    item_code: str
    item_revision: int
    department_code: str
    site_code: str
    channel: str
    applicant_type: str
    applicant_id_number: str
    applicant_name: str
    applicant_phone: str
    materials: list[MaterialRead]
    status: ApplicationStatus
    auto_approved: bool
    submitted_at: datetime
    promised_date: date
    finished_at: datetime | None
    certificate_no: str | None
    reason: str | None
    overdue: bool
    steps: list[StepRead] | None = None


class ApplicationTransition(Closed):
    """Move an application on: ``certificate_no`` completes it, ``reason`` explains a rejection."""

    status: ApplicationStatus
    note: str = Field(default="", max_length=500)
    certificate_no: str | None = Field(default=None, min_length=1, max_length=60)
    reason: str | None = Field(default=None, min_length=1, max_length=500)
    at: AwareDatetime | None = Field(default=None, description="Back-entry (补录) of an earlier step; catalog:admin only.")


class ApplicationStats(BaseModel):
    """Figures of the applications received in a period (see the module docstring of domain.stats)."""

    received: int
    online_received: int
    online_receipt_rate: Decimal | None
    completed: int
    overdue: int
    average_handling_days: Decimal | None
    satisfaction_rate: Decimal | None
    evaluations: int


class EvaluationCreate(Closed):
    """A rating of one application, 5 非常满意 … 1 非常不满意."""

    application_number: str = Field(min_length=1, max_length=40)
    level: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)


class EvaluationStep(Closed):
    """A step of a rectification case: contact, rectify, second rating, appeal, appeal decision."""

    action: Literal["contact", "rectify", "rerate", "appeal", "decide_appeal"]
    note: str = Field(default="", max_length=1000)
    level: int | None = Field(default=None, ge=1, le=5, description="The second rating (追评), for rerate.")
    upheld: bool | None = Field(default=None, description="For decide_appeal: True removes the review as malicious.")


class EvaluationRead(BaseModel):
    """A rating and its rectification case."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    application_number: str
    site_code: str
    department_code: str
    level: int
    level_name: str
    bad: bool
    comment: str
    submitted_at: datetime
    case_status: str | None
    contact_due: date | None
    fix_due: date | None
    contacted_at: datetime | None
    rectified_at: datetime | None
    second_level: int | None
    appeal_reason: str
    appeal_decision: str | None


class PolicyCreate(Closed):
    """A policy with its department, expected amount and period."""

    code: Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z_-]{1,39}$")]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    department_code: str = Field(max_length=40)
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


class RedemptionCreate(Closed):
    """A redemption of a policy to an enterprise."""

    credit_code: str = Field(min_length=18, max_length=18)
    enterprise_name: Annotated[str, Field(min_length=1, max_length=200)]
    amount: Decimal = Field(gt=0, le=Decimal("10000000000"), decimal_places=2)


class RedemptionStatusChange(Closed):
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


class PolicyStats(BaseModel):
    """Expected against redeemed amounts, per policy and in total."""

    expected: Decimal
    redeemed: Decimal
    completion_rate: Decimal | None
    policies: int
    redemptions: int
    by_policy: dict[str, Decimal | None]
