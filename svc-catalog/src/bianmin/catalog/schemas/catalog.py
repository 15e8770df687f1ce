"""Schemas of departments, sites, items, the calendar and cross-province agreements."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Channel = Literal["online", "window", "kiosk", "mobile_pad", "bank_terminal", "bank_staff"]
SiteLevel = Literal["district", "township", "village", "bank"]
ItemStatus = Literal["draft", "published", "suspended", "withdrawn"]
ItemType = Literal["licensing", "payment", "confirmation", "adjudication", "reward", "inspection",
                   "public_service", "other"]
TargetGroup = Literal["natural", "legal", "both"]
ExerciseLevel = Literal["district", "township", "village"]
CrossProvinceMode = Literal["full_online", "receive_elsewhere", "joint"]
Code = Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z_-]{1,59}$")]
Name = Annotated[str, Field(min_length=1, max_length=200)]
ShortText = Annotated[str, Field(min_length=1, max_length=100)]


class Closed(BaseModel):
    """Base of request bodies: unknown fields are refused, so a typo is a 422, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DepartmentCreate(Closed):
    """A department to add or rename (窗口单位)."""

    code: Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z_-]{0,39}$")]
    name: ShortText


class DepartmentRead(BaseModel):
    """A department."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str


class SiteWrite(Closed):
    """A service point as an operator enters it; the code's shape must fit the level."""

    name: ShortText
    level: SiteLevel
    parent_code: str | None = Field(default=None, max_length=20)
    address: str = Field(default="", max_length=200)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    opening_hours: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=30)


class SiteCreate(SiteWrite):
    """A new service point."""

    code: str = Field(min_length=9, max_length=12)


class SiteRead(BaseModel):
    """A service point; ``distance_km`` is set on service-map answers."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: str
    parent_code: str | None
    tenant: str
    address: str
    lat: float
    lng: float
    opening_hours: str
    phone: str
    distance_km: float | None = None


class OfferingItem(Closed):
    """One item a site offers, through the channels listed."""

    item_code: str = Field(min_length=1, max_length=60)
    channels: list[Channel] = Field(min_length=1)


class OfferingsWrite(Closed):
    """The full list of what a site offers (replaces the previous list)."""

    offerings: list[OfferingItem] = Field(max_length=5000)


class Material(Closed):
    """A material an applicant supplies (申请材料)."""

    name: Name
    form: Literal["paper", "electronic", "both"] = "both"
    required: bool = True
    source: Literal["applicant", "government", "intermediary", "other"] = "applicant"
    e_licence: bool = Field(default=False, description="An electronic licence (电子证照) can replace it.")


class ItemFields(Closed):
    """The editable fields of an item; on update every field is optional."""

    basic_code: Code | None = None
    name: Name | None = None
    aliases: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(default=None, max_length=20)
    keywords: list[Annotated[str, Field(min_length=1, max_length=50)]] | None = Field(default=None, max_length=30)
    type: ItemType | None = None
    department_code: str | None = Field(default=None, max_length=40)
    target_group: TargetGroup | None = None
    exercise_level: ExerciseLevel | None = None
    legal_limit_days: int | None = Field(default=None, ge=0, le=3650)
    promised_limit_days: int | None = Field(default=None, ge=0, le=3650)
    fee: Decimal | None = Field(default=None, ge=0, le=Decimal("1000000000"), decimal_places=2)
    fee_basis: str | None = Field(default=None, max_length=300)
    materials: list[Material] | None = Field(default=None, max_length=100)
    channels: list[Channel] | None = Field(default=None, min_length=1)
    appointment: bool | None = None
    cross_province_mode: CrossProvinceMode | None = None
    cross_province_regions: list[Annotated[str, Field(min_length=1, max_length=50)]] | None = None
    auto_approve: bool | None = None

    @field_validator("channels")
    @classmethod
    def _unique_channels(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("channels must not repeat")
        return value

    @field_validator("materials")
    @classmethod
    def _unique_materials(cls, value: list[Material] | None) -> list[Material] | None:
        if value is not None and len({m.name for m in value}) != len(value):
            raise ValueError("material names must not repeat")
        return value


class ItemCreate(ItemFields):
    """A new item, saved as a draft at revision 1."""

    code: Code
    basic_code: Code
    name: Name
    type: ItemType
    department_code: str = Field(max_length=40)
    target_group: TargetGroup
    exercise_level: ExerciseLevel
    legal_limit_days: int = Field(ge=0, le=3650)
    promised_limit_days: int = Field(ge=0, le=3650)
    channels: list[Channel] = Field(min_length=1)


class ItemStatusChange(Closed):
    """Move an item to another status."""

    status: ItemStatus
    note: str = Field(default="", max_length=300)


class ItemRead(BaseModel):
    """A service item at its current revision."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    basic_code: str
    name: str
    aliases: list[str]
    keywords: list[str]
    type: str
    department_code: str
    target_group: str
    exercise_level: str
    legal_limit_days: int
    promised_limit_days: int
    fee: Decimal
    fee_basis: str
    materials: list[Material]
    channels: list[str]
    appointment: bool
    cross_province_mode: str | None
    cross_province_regions: list[str]
    auto_approve: bool
    status: str
    revision: int
    updated_at: datetime
    score: float | None = None


class ItemRevisionRead(BaseModel):
    """One saved revision of an item."""

    revision: int
    change: str
    changed_by: str
    changed_at: datetime
    snapshot: dict[str, object]


class CalendarDayRead(BaseModel):
    """A day of the district calendar and why it is (not) a working day."""

    day: date
    workday: bool
    source: Literal["override", "statutory", "weekend"]
    note: str = ""


class CalendarDaySet(Closed):
    """An operator's override of a day (节假日 or 调休)."""

    workday: bool
    note: str = Field(default="", max_length=200)


class AgreementCreate(Closed):
    """A cross-province agreement (跨省通办协议)."""

    partner_region: ShortText
    signed_on: date
    mode: CrossProvinceMode
    item_codes: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(min_length=1, max_length=2000)
    note: str = Field(default="", max_length=1000)


class AgreementRead(BaseModel):
    """A cross-province agreement."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    partner_region: str
    signed_on: date
    mode: str
    item_codes: list[str]
    note: str


class ItemImport(ItemCreate):
    """An item in a bulk import: its fields and the status it should end in."""

    status: ItemStatus = "draft"


class CatalogImport(Closed):
    """A bulk import: departments first, then items (created, or changed as new revisions)."""

    departments: list[DepartmentCreate] = Field(default_factory=list, max_length=500)
    items: list[ItemImport] = Field(default_factory=list, max_length=5000)


class ImportResult(BaseModel):
    """What a bulk import did."""

    departments: int
    created: int
    updated: int
    status_changed: int
    unchanged: int
