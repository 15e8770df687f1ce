"""The knowledge base with its n-gram index, and the electronic suggestion box (电子意见箱)."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
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


class Suggestion(Base):
    """A suggestion, complaint or praise to a department; followed with an unguessable tracking code."""

    __tablename__ = "suggestion"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    department_code: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    tracking_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    submitted_at: Mapped[datetime]
    due_at: Mapped[datetime]
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by: Mapped[str | None] = mapped_column(String(100))
    replied_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class SuggestionEscalation(Base):
    """One escalation-ladder step of a suggestion or complaint, recorded once per entry (replica-safe)."""

    __tablename__ = "suggestion_escalation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    suggestion_id: Mapped[str] = mapped_column(ForeignKey("suggestion.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(12))
    department_code: Mapped[str] = mapped_column(String(20))
    supervisor_code: Mapped[str | None] = mapped_column(String(20))
    due_at: Mapped[datetime]
    at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (UniqueConstraint("suggestion_id", "step"),)
