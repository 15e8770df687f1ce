"""Complaints (投诉) to the supervising department, with their statutory deadline and decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class Complaint(Base):
    """A complaint (投诉) to the supervising department, with its statutory handling deadline."""

    __tablename__ = "complaint"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    # Who complains (实施条例 §60: a bidder or another interested party): an enterprise by its credit code
    # (``bidder`` when registered for the project, else ``interested_party``), or a ``person`` in their own name.
    complainant_credit_code: Mapped[str | None] = mapped_column(String(18))
    complainant_kind: Mapped[str] = mapped_column(String(20), default="bidder", server_default="bidder")
    complainant_id: Mapped[str | None] = mapped_column(String(120))
    interest: Mapped[str | None] = mapped_column(Text)
    # The evidence (必要的证明材料) by SHA-256, name and size; the files stay with the complainant's app.
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    text: Mapped[str] = mapped_column(Text)
    known_at: Mapped[datetime]
    filed_at: Mapped[datetime]
    due_at: Mapped[datetime]
    # Why the deadline may still move (a year it spans had no holiday notice when it was counted), or None.
    due_basis: Mapped[str | None] = mapped_column(Text)
    matter: Mapped[str] = mapped_column(String(30), default="other", server_default="other")
    # Acceptance (受理) within ``complaint_accept_workdays`` working days of filing (实施条例 §61); None for
    # complaints filed before acceptance was recorded.
    accept_due_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(100))

    @property
    def due_provisional(self) -> bool:
        """Whether the deadline was counted into a year whose holiday notice was not loaded (see ``due_basis``)."""
        return self.due_basis is not None

    def accept_overdue(self, now: datetime) -> bool:
        """Whether acceptance (or the refusal to accept) came, or is still missing, after its deadline."""
        if self.accept_due_at is None:
            return False
        answered = self.accepted_at or (self.decided_at if self.status == "not_accepted" else None)
        return (answered or now) > self.accept_due_at
