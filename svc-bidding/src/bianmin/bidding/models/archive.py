"""The electronic archive (电子档案): signed versions, their transparency log, borrowings and reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bianmin.bidding.models.base import Base


class ArchiveVersion(Base):
    """One signed version of a project's archive: its manifest, digest, the previous version's digest, its log leaf."""

    __tablename__ = "archive_version"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    version: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    previous_digest: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    # The parts whose SHA-256 differs from the previous version's (every part for version 1).
    changed_parts: Mapped[list[str]] = mapped_column(JSON)
    # The manifest's entries ({name, count, sha256}, sorted by name); they hash to ``digest``.
    manifest: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    archived_at: Mapped[datetime]
    retain_until: Mapped[date]
    # The log entry (canonical JSON) that the signature covers and the log's leaf hashes.
    entry: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[str] = mapped_column(String(64))
    log_index: Mapped[int]


class ArchiveLogHead(Base):
    """The single head row of the archive log: its size and root; appends lock it so one writer appends at a time."""

    __tablename__ = "archive_log_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int]
    root: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class ArchiveLogLeaf(Base):
    """One leaf of the archive log: an archive version's entry (hashes and ids only; a log never deletes)."""

    __tablename__ = "archive_log_leaf"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entry: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    appended_at: Mapped[datetime]


class ArchiveCheckpoint(Base):
    """The log's signed checkpoint at one size (C2SP tlog-checkpoint text, Ed25519 signature by the archive key)."""

    __tablename__ = "archive_checkpoint"

    size: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    root: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(100))
    signed_at: Mapped[datetime]


class ArchiveBorrowing(Base):
    """A request to read (借阅) a project's archive by someone outside its managing site and supervision."""

    __tablename__ = "archive_borrowing"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(120), index=True)
    purpose: Mapped[str] = mapped_column(Text)
    days: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    requested_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None]


class ArchiveRead(Base):
    """Who read which version of an archive, when, and under which borrowing (None: the managing site or supervision)."""

    __tablename__ = "archive_read"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id"), index=True)
    reader: Mapped[str] = mapped_column(String(120))
    borrowing_id: Mapped[str | None] = mapped_column(ForeignKey("archive_borrowing.id"))
    version: Mapped[int]
    read_at: Mapped[datetime]
