"""Consultations (e问通) and everything that happens to one: messages, transfers, pauses, escalations."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.consult.models.base import Base, new_id


class Consultation(Base):
    """One question from a citizen or company, with its routing, clock and answer."""

    __tablename__ = "consultation"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    tenant: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    item_code: Mapped[str | None] = mapped_column(String(64))
    department_code: Mapped[str | None] = mapped_column(String(20), index=True)
    routed_by: Mapped[str] = mapped_column(String(10))
    topic: Mapped[str] = mapped_column(String(100), server_default="")
    contact_name: Mapped[str] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    # Who asked: ``citizen:<subject id>`` (then only that citizen rates the answer), ``app:<key>``, or None.
    asker: Mapped[str | None] = mapped_column(String(120), nullable=True)
    consent_publish: Mapped[bool] = mapped_column(Boolean, server_default="0")
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(12), index=True)
    submitted_at: Mapped[datetime]
    clock_started_at: Mapped[datetime]
    deadline_days: Mapped[int] = mapped_column(Integer)
    extension_days: Mapped[int] = mapped_column(Integer, server_default="0")
    paused_workdays: Mapped[int] = mapped_column(Integer, server_default="0")
    paused_since: Mapped[datetime | None]
    due_at: Mapped[datetime] = mapped_column(index=True)
    # Why the deadline may still move (a year it spans had no holiday notice when it was counted), or None.
    due_basis: Mapped[str | None] = mapped_column(Text)
    round: Mapped[int] = mapped_column(Integer, server_default="0")
    ladder: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    first_response_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None]
    answered_on_time: Mapped[bool | None] = mapped_column(Boolean)
    closed_at: Mapped[datetime | None]
    rating: Mapped[str | None] = mapped_column(String(24))
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]
    article_id: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_consultation_status_due", "status", "due_at"),)

    @property
    def due_provisional(self) -> bool:
        """Whether the deadline was counted into a year whose holiday notice was not loaded (see ``due_basis``)."""
        return self.due_basis is not None


class ConsultationMessage(Base):
    """An exchange on a consultation: a request for information, the asker's reply, a reopening."""

    __tablename__ = "consultation_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


class ConsultationTransfer(Base):
    """A move of a consultation between departments, with its reason; the clock keeps running."""

    __tablename__ = "consultation_transfer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    from_department: Mapped[str | None] = mapped_column(String(20))
    to_department: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500))
    by_key: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]


class ConsultationPause(Base):
    """An interval in which the clock stood still because the department waited for the asker."""

    __tablename__ = "consultation_pause"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    workdays: Mapped[int | None] = mapped_column(Integer)


class ExtensionRequest(Base):
    """A department's request for more working days, made before the deadline, approved or rejected."""

    __tablename__ = "extension_request"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), index=True)
    days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10))
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None]


class Escalation(Base):
    """One step of the escalation ladder, recorded once per consultation, round and ladder (replica-safe).

    ``ladder`` counts the restarts of the ladder within a round: an approved extension starts a new
    ladder from the new deadline, and the steps of the old one stay here as history.
    """

    __tablename__ = "escalation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer)
    ladder: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    step: Mapped[str] = mapped_column(String(12))
    department_code: Mapped[str | None] = mapped_column(String(20))
    due_at: Mapped[datetime]
    at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (UniqueConstraint("consultation_id", "round", "ladder", "step"),)


class Rectification(Base):
    """The case a bad rating opens: contact the asker, fix, then the asker rates again (追评)."""

    __tablename__ = "rectification"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    consultation_id: Mapped[str] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"), unique=True)
    department_code: Mapped[str | None] = mapped_column(String(20), index=True)
    tenant: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(12))
    opened_at: Mapped[datetime]
    contact_due_at: Mapped[datetime]
    fix_due_at: Mapped[datetime]
    contacted_at: Mapped[datetime | None]
    fixed_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    follow_up_rating: Mapped[str | None] = mapped_column(String(24))
    closed_at: Mapped[datetime | None]
