"""Borrowing (借阅) an archive, and the log of who read which archive when.

The archive holds submitting addresses, device fingerprints and supervision decisions, so it is the
managing site's and supervision's (``ensure_agent_or_supervisor``). Anyone else with a reason (an
auditor, another department, a party to a dispute) asks to borrow it, saying why and for how many
days (at most ``archive_borrow_max_days``); a supervisor of the project's site approves or refuses;
an approved borrowing lets the person who asked, and no one else, read the archive until it expires.
Every read of an archive — by the managing site, by supervision or under a borrowing — is logged with
the reader, the version read and the time (个人信息保护法 §55: a record of who read personal data).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain import archive, archiving
from bianmin.bidding.domain.common import acting_id, new_id
from bianmin.bidding.domain.errors import (
    BorrowingDecided,
    BorrowingExpired,
    BorrowingNotApproved,
    BorrowingNotFound,
    NotFinished,
    NotTheBorrower,
)
from bianmin.bidding.domain.projects import FINISHED
from bianmin.bidding.models import ArchiveBorrowing, ArchiveRead, Project
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identity import Principal


async def request(session: AsyncSession, project: Project, *, purpose: str, days: int, by: Principal, now: datetime,
                  settings: BiddingSettings) -> ArchiveBorrowing:
    """Ask to borrow a finished project's archive for ``days`` days, saying why; a supervisor decides."""
    if project.status not in FINISHED:
        raise NotFinished(f"Project {project.code} is {project.status}; only a finished project's archive is lent.")
    if not purpose.strip():
        raise Unprocessable.field("purpose", "say why the archive is needed")
    if not 1 <= days <= settings.archive_borrow_max_days:
        raise Unprocessable.field("days", f"must be between 1 and {settings.archive_borrow_max_days}")
    row = ArchiveBorrowing(id=new_id(), project_id=project.id, requested_by=acting_id(by), purpose=purpose.strip(),
                           days=days, status="requested", requested_at=now)
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, borrowing_id: str) -> tuple[ArchiveBorrowing, Project]:
    """A borrowing and its project; 404 when there is none."""
    found = (await session.execute(select(ArchiveBorrowing, Project).join(Project, Project.id == ArchiveBorrowing.project_id)
                                   .where(ArchiveBorrowing.id == borrowing_id))).first()
    if found is None:
        raise BorrowingNotFound(f"No borrowing {borrowing_id}.")
    return found[0], found[1]


async def decide(session: AsyncSession, borrowing: ArchiveBorrowing, *, approve: bool, note: str | None,
                 by: Principal, now: datetime) -> ArchiveBorrowing:
    """Approve (for the days asked, from now) or refuse a borrowing, once."""
    if borrowing.status != "requested":
        raise BorrowingDecided(f"Borrowing {borrowing.id} is {borrowing.status} already.")
    borrowing.status = "approved" if approve else "refused"
    borrowing.decided_by, borrowing.decided_at, borrowing.note = acting_id(by), now, note
    borrowing.expires_at = now + timedelta(days=borrowing.days) if approve else None
    await session.flush()
    return borrowing


def ensure_readable(borrowing: ArchiveBorrowing, *, by: Principal, now: datetime) -> None:
    """Refuse a read under ``borrowing`` by anyone but its borrower, before approval, or after it expired."""
    if borrowing.requested_by != acting_id(by):
        raise NotTheBorrower("This borrowing lets the person who asked for it read, no one else.")
    if borrowing.status != "approved" or borrowing.expires_at is None:
        raise BorrowingNotApproved(f"Borrowing {borrowing.id} is {borrowing.status}; a supervisor approves it first.")
    if now >= borrowing.expires_at:
        raise BorrowingExpired(f"Borrowing {borrowing.id} expired at {borrowing.expires_at.isoformat()}.")


async def log_read(session: AsyncSession, project: Project, *, version: int, by: Principal, now: datetime,
                   borrowing: ArchiveBorrowing | None = None) -> None:
    """Record who read which version of a project's archive, when, and under which borrowing."""
    session.add(ArchiveRead(project_id=project.id, reader=acting_id(by), version=version, read_at=now,
                            borrowing_id=borrowing.id if borrowing else None))
    await session.flush()


async def read(session: AsyncSession, project: Project, *, by: Principal, now: datetime, settings: BiddingSettings,
               lent: ArchiveBorrowing | None = None) -> dict[str, Any]:
    """The archive with its signed versions, and the read logged; seals version 1 first when the worker has not yet.

    ``matches_latest_version`` says whether the records as they are now still have the latest signed
    digest (``archiving.verify`` names the parts when they do not).
    """
    bundle = await archive.build(session, project)
    await archiving.seal(session, project, now=now, settings=settings)
    versions = await archiving.versions_of(session, project)
    await log_read(session, project, version=versions[-1].version, by=by, now=now, borrowing=lent)
    bundle["versions"] = [{
        "version": v.version, "digest": v.digest, "previous_digest": v.previous_digest, "reason": v.reason,
        "changed_parts": v.changed_parts, "archived_at": v.archived_at, "retain_until": v.retain_until,
        "entry": v.entry, "signature": v.signature, "public_key": v.public_key, "log_index": v.log_index,
    } for v in versions]
    bundle["retain_until"] = versions[0].retain_until
    bundle["matches_latest_version"] = versions[-1].digest == bundle["manifest"]["digest"]
    return bundle


async def ledger(session: AsyncSession, project: Project) -> tuple[list[ArchiveBorrowing], list[ArchiveRead]]:
    """A project's borrowings and its archive's read log, oldest first."""
    borrowings = (await session.execute(select(ArchiveBorrowing).where(ArchiveBorrowing.project_id == project.id)
                                        .order_by(ArchiveBorrowing.requested_at, ArchiveBorrowing.id))).scalars()
    reads = (await session.execute(select(ArchiveRead).where(ArchiveRead.project_id == project.id)
                                   .order_by(ArchiveRead.id))).scalars()
    return list(borrowings), list(reads)


async def counts(session: AsyncSession, *, since: datetime | None, until: datetime | None) -> dict[str, int]:
    """Borrowings asked in a period by their status, and the reads made under a borrowing in it."""
    asked = select(ArchiveBorrowing.status, func.count()).group_by(ArchiveBorrowing.status)
    reads = select(func.count()).select_from(ArchiveRead).where(ArchiveRead.borrowing_id.is_not(None))
    if since is not None:
        asked, reads = asked.where(ArchiveBorrowing.requested_at >= since), reads.where(ArchiveRead.read_at >= since)
    if until is not None:
        asked, reads = asked.where(ArchiveBorrowing.requested_at < until), reads.where(ArchiveRead.read_at < until)
    by_status = {status: int(n) for status, n in (await session.execute(asked)).all()}
    return {"requested": by_status.get("requested", 0), "approved": by_status.get("approved", 0),
            "refused": by_status.get("refused", 0), "reads": int((await session.execute(reads)).scalar_one())}
