"""The knowledge base: its articles and their n-gram index."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.consult.models.base import Base, new_id


class Article(Base):
    """A knowledge-base answer: draft, published or archived; possibly promoted from a consultation."""

    __tablename__ = "article"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    department_code: Mapped[str | None] = mapped_column(String(20), index=True)
    item_code: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), index=True)
    source_consultation_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    published_at: Mapped[datetime | None]


class ArticleGram(Base):
    """One unigram or bigram of a published article with its weight (title counts three times)."""

    __tablename__ = "article_gram"

    article_id: Mapped[str] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"), primary_key=True)
    gram: Mapped[str] = mapped_column(String(2), primary_key=True, index=True)
    weight: Mapped[int] = mapped_column(Integer)
