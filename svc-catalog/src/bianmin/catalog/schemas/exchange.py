"""Schemas of the catalog's bulk import and export, and of cross-province agreements (跨省通办)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bianmin.catalog.schemas.common import CrossProvinceMode, ItemStatus, ShortText, Text
from bianmin.catalog.schemas.items import ItemCreate, ItemExport
from bianmin.catalog.schemas.sites import DepartmentCreate, DepartmentRead
from bianmin.kit.schemas import RequestBody


class ItemImport(ItemCreate):
    """An item in a bulk import: its fields and the status it should end in."""

    status: ItemStatus = "draft"


class CatalogImport(RequestBody):
    """A bulk import: departments first, then items (created, or changed as new revisions)."""

    departments: list[DepartmentCreate] = Field(default_factory=list, max_length=500)
    items: list[ItemImport] = Field(default_factory=list, max_length=5000)


class CatalogExport(BaseModel):
    """The whole catalog in the import's own shape, so an export can be imported elsewhere."""

    departments: list[DepartmentRead]
    items: list[ItemExport]


class ImportResult(BaseModel):
    """What a bulk import did."""

    departments: int
    created: int
    updated: int
    status_changed: int
    unchanged: int


class AgreementCreate(RequestBody):
    """A cross-province agreement (跨省通办协议)."""

    partner_region: ShortText
    signed_on: date
    mode: CrossProvinceMode
    item_codes: list[Annotated[Text, Field(min_length=1, max_length=60)]] = Field(min_length=1, max_length=2000)
    note: Text = Field(default="", max_length=1000)


class AgreementRead(BaseModel):
    """A cross-province agreement."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    partner_region: str
    signed_on: date
    mode: str
    item_codes: list[str]
    note: str
