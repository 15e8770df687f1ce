"""Schemas of applications (办件): intake, handling steps and the application as read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, ValidationInfo, field_validator

from bianmin.catalog.schemas.common import ApplicationStatus, Channel, Name, Phone, ShortText, Text
from bianmin.kit.schemas import CreditCode, RequestBody, ResidentId, SiteCode

# The kit's identifier type for each kind of applicant: one normalisation and check, whichever the type.
APPLICANT_IDS: dict[str, TypeAdapter[str]] = {"natural": TypeAdapter(ResidentId), "legal": TypeAdapter(CreditCode)}


class Applicant(RequestBody):
    """Who applies: a natural person (resident ID) or a legal person (unified social credit code)."""

    type: Literal["natural", "legal"]
    id_number: Text = Field(min_length=1, max_length=18, description="Resident ID (GB 11643) or credit code (GB 32100).")
    name: ShortText
    phone: Phone

    @field_validator("id_number")
    @classmethod
    def _number_of_its_type(cls, value: str, info: ValidationInfo) -> str:
        """The kit's ``ResidentId`` or ``CreditCode``, chosen by ``type`` (checked first, as declared first)."""
        adapter = APPLICANT_IDS.get(info.data.get("type", ""))
        if adapter is None:
            return value  # the type itself was refused; that error names the field
        try:
            return adapter.validate_python(value)
        except ValidationError as exc:
            error = exc.errors()[0]
            cause = (error.get("ctx") or {}).get("error")
            raise ValueError(str(cause) if isinstance(cause, Exception) else error["msg"]) from None


class SuppliedMaterial(RequestBody):
    """A material handed in; an electronic licence number (电子证照) makes it verified."""

    name: Name
    licence_no: Text | None = Field(default=None, min_length=1, max_length=60)


class ApplicationCreate(RequestBody):
    """A new application (办件)."""

    item_code: Text = Field(min_length=1, max_length=60)
    site_code: SiteCode
    channel: Channel
    terminal_code: SiteCode | None = Field(
        default=None, description="The terminal it came through (政银合作): an open terminal under the site that offers "
        "the item through the channel.")
    applicant: Applicant
    materials: list[SuppliedMaterial] = Field(default_factory=list, max_length=100)
    received_at: AwareDatetime | None = Field(
        default=None, description="Back-entry (补录) of an application received earlier; catalog:admin only.")


class ApplicationTransition(RequestBody):
    """Move an application on: ``certificate_no`` completes it, ``reason`` explains a rejection."""

    status: ApplicationStatus
    note: Text = Field(default="", max_length=500)
    certificate_no: Text | None = Field(default=None, min_length=1, max_length=60)
    reason: Text | None = Field(default=None, min_length=1, max_length=500)
    at: AwareDatetime | None = Field(default=None, description="Back-entry (补录) of an earlier step; catalog:admin only.")


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
    terminal_code: str | None
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
    promised_provisional: bool = Field(
        default=False, description="True when the promised date was counted across a year without a holiday notice.")
    promised_basis: str | None = Field(default=None, description="Why the promised date is provisional.")
    finished_at: datetime | None
    certificate_no: str | None
    reason: str | None
    overdue: bool
    steps: list[StepRead] | None = None
