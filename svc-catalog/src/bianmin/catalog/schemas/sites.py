"""Schemas of departments (窗口单位), sites, the site import and what each site offers."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bianmin.catalog.schemas.common import Channel, ShortText, SiteLevel, TerminalKind, Text
from bianmin.kit.schemas import RequestBody, SiteCode

MAX_IMPORT = 20_000
TOWNSHIP_STATISTICAL_CODE = re.compile(r"^\d{9}000$")


def township_code(code: str | None) -> str | None:
    """A township named by its 12-digit statistical code (统计用区划代码: the 9 digits + ``000``) as its 9 digits.

    No village's code ends in ``000`` (its own digits start at 001), so a 12-digit code that does is
    always the township's; the registry keeps the 9-digit form that every other site extends.
    """
    return code[:9] if code is not None and TOWNSHIP_STATISTICAL_CODE.match(code) else code


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
    """A service point as an operator enters it; the code's shape must fit the level (domain.sites)."""

    name: ShortText
    level: SiteLevel
    parent_code: SiteCode | None = Field(default=None, description="A township may be named by its 12-digit code.")
    address: Text = Field(default="", max_length=200)
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    opening_hours: Text = Field(default="", max_length=200)
    phone: Text = Field(default="", max_length=30)
    kind: TerminalKind | None = Field(default=None, description="A terminal's kind (terminals only): self_service "
                                      "(code letter T), bank_counter (C) or pad (P).")
    active: bool = Field(default=True, description="False closes the site: it leaves the lists and the map, takes no "
                         "new applications and no new sites under it; true opens it again.")

    @field_validator("parent_code")
    @classmethod
    def _parent_township(cls, value: str | None) -> str | None:
        return township_code(value)


class SiteCreate(SiteWrite):
    """A new service point (or, in an import, one to add or change); its code must fit its level and parent."""

    code: SiteCode = Field(description="A township may be given by its 12-digit statistical code; it is kept as 9 digits.")

    @model_validator(mode="after")
    def _township_by_statistical_code(self) -> SiteCreate:
        if self.level == "township":
            self.code = township_code(self.code) or self.code
        return self


class SiteImport(RequestBody):
    """A district's structure in one file: sites in any order (parents may follow their children)."""

    sites: list[SiteCreate] = Field(min_length=1, max_length=MAX_IMPORT)


class SiteImportResult(BaseModel):
    """What an import did: sites added, sites changed, and sites already as the file describes them."""

    created: int
    updated: int
    unchanged: int


class SiteRead(BaseModel):
    """A service point; ``distance_km`` is set on service-map answers."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: str
    kind: str | None
    parent_code: str | None
    tenant: str
    active: bool
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
