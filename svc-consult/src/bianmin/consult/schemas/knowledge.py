"""Schemas of knowledge-base articles and search suggestions."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from bianmin.consult.schemas.common import DepartmentCode, ItemCode, LongText, Title
from bianmin.kit.schemas import RequestBody


class ArticleCreate(RequestBody):
    """A new knowledge-base article (a draft)."""

    title: Title
    body: LongText
    department_code: DepartmentCode | None = None
    item_code: ItemCode | None = None


class ArticleUpdate(RequestBody):
    """A change to an article; fields left out stay."""

    title: Title | None = None
    body: LongText | None = None
    item_code: ItemCode | None = None


class ArticleRead(BaseModel):
    """A knowledge-base article."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    body: str
    department_code: str | None
    item_code: str | None
    status: str
    source_consultation_id: str | None
    updated_at: datetime
    published_at: datetime | None


class PromoteBody(RequestBody):
    """Promote an answered question to the knowledge base, optionally with a better title."""

    title: Title | None = None


class SuggestHit(BaseModel):
    """A knowledge-base answer offered while the asker types."""

    article_id: str
    title: str
    snippet: str
    department_code: str | None
    matched: int
    score: int
