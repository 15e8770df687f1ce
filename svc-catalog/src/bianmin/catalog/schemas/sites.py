"""Schemas of departments (窗口单位), sites and what each site offers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bianmin.catalog.schemas.common import Channel, ShortText, SiteLevel, Text
from bianmin.kit.schemas import RequestBody, SiteCode


class DepartmentCreate(RequestBody):
    """A department to add or rename (窗口单位)."""

    code: Text = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z_-]{0,39}$")
    name: ShortText


class DepartmentRead(BaseModel):
    """A department."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str


class SiteWrite(RequestBody):
    """A service point as an operator enters it; the code's shape must fit the level."""

    name: ShortText
    level: SiteLevel
    parent_code: SiteCode | None = None
    address: Text = Field(default="", max_length=200)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    opening_hours: Text = Field(default="", max_length=200)
    phone: Text = Field(default="", max_length=30)


class SiteCreate(SiteWrite):
    """A new service point; beyond the kit's site code, its shape must fit its level in district 330199."""

    code: SiteCode


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


class OfferingItem(RequestBody):
    """One item a site offers, through the channels listed."""

    item_code: Text = Field(min_length=1, max_length=60)
    channels: list[Channel] = Field(min_length=1)


class OfferingsWrite(RequestBody):
    """The full list of what a site offers (replaces the previous list)."""

    offerings: list[OfferingItem] = Field(max_length=5000)
