"""Schemas of service items (政务服务事项): their fields, status changes and revisions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bianmin.catalog.schemas.common import (
    Channel,
    Code,
    CrossProvinceMode,
    ExerciseLevel,
    ItemStatus,
    ItemType,
    Name,
    TargetGroup,
    Text,
)
from bianmin.kit.schemas import RequestBody


class Material(RequestBody):
    """A material an applicant supplies (申请材料)."""

    name: Name
    form: Literal["paper", "electronic", "both"] = "both"
    required: bool = True
    source: Literal["applicant", "government", "intermediary", "other"] = "applicant"
    e_licence: bool = Field(default=False, description="An electronic licence (电子证照) can replace it.")


class ItemFields(RequestBody):
    """The editable fields of an item; on update every field is optional."""

    basic_code: Code | None = None
    name: Name | None = None
    aliases: list[Annotated[Text, Field(min_length=1, max_length=100)]] | None = Field(default=None, max_length=20)
    keywords: list[Annotated[Text, Field(min_length=1, max_length=50)]] | None = Field(default=None, max_length=30)
    type: ItemType | None = None
    department_code: Text | None = Field(default=None, max_length=40)
    target_group: TargetGroup | None = None
    exercise_level: ExerciseLevel | None = None
    legal_limit_days: int | None = Field(default=None, ge=0, le=3650)
    promised_limit_days: int | None = Field(default=None, ge=0, le=3650)
    fee: Decimal | None = Field(default=None, ge=0, le=Decimal("1000000000"), decimal_places=2)
    fee_basis: Text | None = Field(default=None, max_length=300)
    materials: list[Material] | None = Field(default=None, max_length=100)
    channels: list[Channel] | None = Field(default=None, min_length=1)
    appointment: bool | None = None
    cross_province_mode: CrossProvinceMode | None = None
    cross_province_regions: list[Annotated[Text, Field(min_length=1, max_length=50)]] | None = None
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
    department_code: Text = Field(max_length=40)
    target_group: TargetGroup
    exercise_level: ExerciseLevel
    legal_limit_days: int = Field(ge=0, le=3650)
    promised_limit_days: int = Field(ge=0, le=3650)
    channels: list[Channel] = Field(min_length=1)


class ItemStatusChange(RequestBody):
    """Move an item to another status."""

    status: ItemStatus
    note: Text = Field(default="", max_length=300)


class ItemExport(BaseModel):
    """An item's fields as the export writes them and an import reads them back: no revision, time or score."""

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


class ItemRead(ItemExport):
    """A service item at its current revision."""

    revision: int
    updated_at: datetime
    score: float | None = None


class ItemRevisionRead(BaseModel):
    """One saved revision of an item."""

    model_config = ConfigDict(from_attributes=True)

    revision: int
    change: str
    changed_by: str
    changed_at: datetime
    snapshot: dict[str, object]
