"""Complaints (投诉) to the supervising department, with their statutory deadline and decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class Complaint(Base):
    """A complaint (投诉) to the supervising department, with its statutory handling deadline."""

    __tablename__ = "complaint"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    complainant_credit_code: Mapped[str] = mapped_column(String(18))
    text: Mapped[str] = mapped_column(Text)
    known_at: Mapped[datetime]
    filed_at: Mapped[datetime]
    due_at: Mapped[datetime]
    # Why the deadline may still move (a year it spans had no holiday notice when it was counted), or None.
    due_basis: Mapped[str | None] = mapped_column(Text)
    matter: Mapped[str] = mapped_column(String(30), default="other", server_default="other")
    status: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))

    @property
    def due_provisional(self) -> bool:
        """Whether the deadline was counted into a year whose holiday notice was not loaded (see ``due_basis``)."""
        return self.due_basis is not None
