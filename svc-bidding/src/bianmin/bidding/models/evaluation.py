"""Decisions of the evaluation committee and the tenderer after the opening, each with its reason.

招标投标法 §42 (every bid rejected), 实施条例 §51(5) (an abnormally low price kept or rejected after
the bidder's explanation) and §55 (the winner's default and the award to the next candidate) are
acts someone answers for: each is a row here with who recorded it, when and why, and goes into the
project's archive.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class EvaluationDecision(Base):
    """One recorded decision on a section: ``all_rejected``, ``low_price_accepted``, ``low_price_rejected``,
    ``winner_defaulted`` or ``next_candidate``."""

    __tablename__ = "evaluation_decision"
    __table_args__ = (Index("ix_evaluation_decision_project", "project_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"))
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id"))
    kind: Mapped[str] = mapped_column(String(30))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    reason: Mapped[str] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
