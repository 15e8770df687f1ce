"""Schemas of tenders, sections, status transitions, invitations and direct-contract filings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bianmin.bidding.schemas.common import Code, PositiveYuan, ProjectSite, Text, Yuan
from bianmin.kit.schemas import CreditCode, RequestBody

Category = Literal["construction", "procurement", "land_use", "state_property"]
Level = Literal["district", "township"]
Method = Literal["open", "invited"]
AnyMethod = Literal["open", "invited", "direct"]
EvaluationMethod = Literal["lowest_price", "comprehensive"]
Status = Literal["draft", "published", "closed", "opening", "opened", "evaluating", "publicised",
                 "awarded", "failed", "cancelled", "filed", "rejected"]

__all__ = ["AnyMethod", "Category", "DirectContractCreate", "EvaluationMethod", "InvitationCreate", "Level", "Method",
           "ProjectCreate", "ProjectRead", "SectionCreate", "SectionRead", "Status", "TransitionRead",
           "TransitionRequest"]


class SectionCreate(RequestBody):
    """One section (标段) of a new tender."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    budget: PositiveYuan = Field(description="Estimated price (最高投标限价) of the section, yuan.")
    bid_bond_amount: Yuan = Field(description="Bid bond; at most 2% of the section's budget (§26).")


class ProjectCreate(RequestBody):
    """A new tender, created as a draft."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    category: Category
    level: Level
    site_code: ProjectSite
    method: Method = "open"
    subject_code: str = Field(default="general", min_length=1, max_length=40)
    tenderer_name: str = Field(min_length=1, max_length=200)
    tenderer_credit_code: CreditCode
    budget: PositiveYuan
    sections: list[SectionCreate] = Field(min_length=1, max_length=50)
    bid_deadline: AwareDatetime
    opening_at: AwareDatetime
    decryption_minutes: int = Field(default=30, ge=5, le=240)
    confirmation_minutes: int = Field(default=15, ge=1, le=240)
    evaluation_method: EvaluationMethod = "lowest_price"
    price_weight: int = Field(default=100, ge=0, le=100, description="Percent of the total score given by price.")
    technical_weight: int = Field(default=0, ge=0, le=100)
    publicity_days: int = Field(default=3, ge=1, le=30)
    invited_credit_codes: list[CreditCode] = Field(default_factory=list, max_length=200)
    min_valid_bids: int | None = Field(
        default=None, ge=1, le=50,
        description="When the tender documents say so (e.g. a government purchase, 政府采购法 §36), the number of valid "
        "bids below which a section fails by itself after the opening. Absent: a section fails by itself only with "
        "no valid bid, and otherwise the committee judges whether a thin field is competitive (招标投标法 §42).")
    mandatory_tender: bool | None = Field(
        default=None, description="Whether the law obliges this project to be tendered (依法必须招标), so that its bid "
        "deadline lies at least 20 days after publication (招标投标法 §24). Omitted: bound when the budget reaches "
        "the category's threshold (国家发改委令第16号), not bound below it; at or above it it cannot be false.")


class SectionRead(BaseModel):
    """A section as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    budget: Yuan
    bid_bond_amount: Yuan
    outcome: str
    failure_reason: str | None
    winner_credit_code: str | None
    award_amount: Yuan | None


class ProjectRead(BaseModel):
    """A tender as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    category: str
    level: str
    site_code: str
    method: str
    subject_code: str
    tenderer_name: str
    tenderer_credit_code: str
    budget: Yuan
    bid_deadline: datetime
    opening_at: datetime
    decryption_minutes: int
    confirmation_minutes: int
    evaluation_method: str
    price_weight: int
    technical_weight: int
    publicity_days: int
    min_valid_bids: int | None = None
    mandatory_tender: bool
    escrow_public_key: str | None
    escrow_threshold: int | None
    escrow_custodians: list[str] | None
    status: str
    opening_started_at: datetime | None
    opened_at: datetime | None
    publicity_ends_at: datetime | None
    awarded_at: datetime | None
    approved_by: str | None = None
    approved_at: datetime | None = None
    signed_on: date | None = None
    sections: list[SectionRead]


class TransitionRequest(RequestBody):
    """Why a project (or an escrow recovery) is moved; kept in its history."""

    reason: str = Field(default="", max_length=2000)


class TransitionRead(BaseModel):
    """One recorded status change."""

    model_config = ConfigDict(from_attributes=True)

    from_status: str | None
    to_status: str
    at: datetime
    actor: str
    reason: str


class InvitationCreate(RequestBody):
    """Invite more enterprises to an invited tender while it is a draft or published."""

    credit_codes: list[CreditCode] = Field(min_length=1, max_length=200)


class DirectContractCreate(RequestBody):
    """A direct contract (直接发包) filed for the record (备案)."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    category: Category
    level: Level
    site_code: ProjectSite
    subject_code: str = Field(min_length=1, max_length=40, description="A work of the buyer's registry (POST /subjects).")
    tenderer_name: str = Field(min_length=1, max_length=200)
    tenderer_credit_code: CreditCode
    contractor_credit_code: CreditCode
    contractor_name: str = Field(min_length=1, max_length=200,
                                 description="The contractor's registered name: the award's supplier in open data.")
    amount: PositiveYuan
    # A floor, so the splitting screen's year-long window around the day stays a real date.
    signed_on: date = Field(ge=date(1900, 1, 1), description="The day the contract was signed (not in the future).")
    reason: Text
