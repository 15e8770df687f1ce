"""The electronic suggestion box (电子意见箱): entries and the escalation steps they reached."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.consult.models.base import Base, new_id


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
    # Why the deadline may still move (a year it spans had no holiday notice when it was counted), or None.
    due_basis: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by: Mapped[str | None] = mapped_column(String(100))
    replied_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    @property
    def due_provisional(self) -> bool:
        """Whether the deadline was counted into a year whose holiday notice was not loaded (see ``due_basis``)."""
        return self.due_basis is not None


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
