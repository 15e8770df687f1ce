"""Schemas of the electronic archive's borrowings (借阅) and its read log."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from bianmin.kit.schemas import RequestBody

__all__ = ["ArchiveLedgerRead", "ArchiveReadRead", "BorrowingCreate", "BorrowingDecision", "BorrowingRead"]


class BorrowingCreate(RequestBody):
    """A request to borrow (借阅) a finished project's archive: why, and for how many days."""

    purpose: str = Field(min_length=1, max_length=2000, description="Why the archive is needed (an audit, a dispute, ...).")
    days: int = Field(ge=1, description="Days the borrowing should last once approved (at most archive_borrow_max_days).")


class BorrowingDecision(RequestBody):
    """A supervisor's approval or refusal of a borrowing."""

    approve: bool
    note: str | None = Field(default=None, max_length=2000)


class BorrowingRead(BaseModel):
    """A borrowing of an archive and its state."""

    id: str
    project_code: str
    requested_by: str
    purpose: str
    days: int
    status: str = Field(description="requested, approved or refused.")
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    note: str | None
    expires_at: datetime | None


class ArchiveReadRead(BaseModel):
    """One read of an archive: who, which version, when, under which borrowing (None: managing site or supervision)."""

    reader: str
    version: int
    read_at: datetime
    borrowing_id: str | None


class ArchiveLedgerRead(BaseModel):
    """A project's archive borrowings and read log."""

    borrowings: list[BorrowingRead]
    reads: list[ArchiveReadRead]
