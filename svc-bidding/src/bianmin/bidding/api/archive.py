"""The electronic archive (电子档案) of a finished project: its signed versions, re-verification and borrowing.

The archive holds submitting IPs, device fingerprints and supervision decisions, so it is for the
managing site (``bidding:write``) and supervisors (``bidding:supervise``); anyone else borrows it
(借阅) with a supervisor's approval, for a set number of days. Every read is logged (who, which
version, when). The rules are in ``domain/archiving.py`` and ``domain/borrowing.py``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from bianmin.bidding.api.deps import (
    AGENT_OR_SUPERVISOR,
    SUPERVISE,
    SUPERVISE_DECIDE,
    SUPERVISOR_ROLE,
    SettingsDep,
    ensure_agent_or_supervisor,
)
from bianmin.bidding.domain import archiving, borrowing
from bianmin.bidding.domain.common import get_visible
from bianmin.bidding.models import ArchiveBorrowing, Project
from bianmin.bidding.schemas import (
    ArchiveLedgerRead,
    ArchiveReadRead,
    BorrowingCreate,
    BorrowingDecision,
    BorrowingRead,
)
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, ensure_tenant, require_scopes
from bianmin.kit.policy import ensure_role, enterprise, operator, policy, staff

router = APIRouter(tags=["archive"])

# Borrowing is a person's act (the read log names who read): staff of any site, operators, and
# enterprises (a party to a dispute); never an app alone.
BORROWER = policy(staff(), enterprise(), operator())


def borrowing_view(row: ArchiveBorrowing, project: Project) -> BorrowingRead:
    """A borrowing as the API shows it."""
    return BorrowingRead(id=row.id, project_code=project.code, requested_by=row.requested_by, purpose=row.purpose,
                         days=row.days, status=row.status, requested_at=row.requested_at, decided_by=row.decided_by,
                         decided_at=row.decided_at, note=row.note, expires_at=row.expires_at)


@router.get("/projects/{code}/archive", dependencies=[AGENT_OR_SUPERVISOR], summary="The electronic archive of a finished project",
            responses=problem_responses(401, 403, 404, 409))
async def project_archive(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                          settings: SettingsDep) -> dict[str, Any]:
    """Every document hash, record, decision and transition of a finished project, its manifest digest, and its
    signed versions; the read is logged."""
    project = await get_visible(session, code, who)
    ensure_agent_or_supervisor(who, project, "The archive")
    body = await borrowing.read(session, project, by=who, now=clock.now(), settings=settings)
    await session.commit()
    return body


@router.get("/projects/{code}/archive/verification", dependencies=[AGENT_OR_SUPERVISOR],
            summary="Re-verify an archive against its signed version and the archive log",
            responses=problem_responses(401, 403, 404, 409))
async def verify_archive(code: str, session: ReadSessionDep, who: PrincipalDep, settings: SettingsDep) -> dict[str, Any]:
    """Rebuild the archive from the database and compare it with the latest signed version and the log: a row
    changed behind the platform's back is named by its part."""
    project = await get_visible(session, code, who)
    ensure_agent_or_supervisor(who, project, "Archive verification")
    return await archiving.verify(session, project, settings=settings)


@router.get("/projects/{code}/archive/borrowings", dependencies=[AGENT_OR_SUPERVISOR],
            summary="An archive's borrowings and read log", responses=problem_responses(401, 403, 404))
async def archive_ledger(code: str, session: ReadSessionDep, who: PrincipalDep) -> ArchiveLedgerRead:
    """Who asked to borrow the archive and what was decided, and who read which version when."""
    project = await get_visible(session, code, who)
    ensure_agent_or_supervisor(who, project, "The archive's read log")
    rows, reads = await borrowing.ledger(session, project)
    return ArchiveLedgerRead(borrowings=[borrowing_view(r, project) for r in rows],
                             reads=[ArchiveReadRead(reader=r.reader, version=r.version, read_at=r.read_at,
                                                    borrowing_id=r.borrowing_id) for r in reads])


@router.post("/projects/{code}/archive/borrowings", status_code=201, dependencies=[BORROWER],
             summary="Ask to borrow (借阅) an archive", responses=problem_responses(401, 403, 404, 409, 422))
async def request_borrowing(code: str, body: BorrowingCreate, session: SessionDep, who: PrincipalDep,
                            idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> BorrowingRead:
    """Ask to read a finished project's archive for some days, saying why; a supervisor of its site decides."""
    project = await get_visible(session, code, who)
    row = await borrowing.request(session, project, purpose=body.purpose, days=body.days, by=who, now=clock.now(),
                                  settings=settings)
    return await idem.finish(session, borrowing_view(row, project))


@router.post("/archive-borrowings/{borrowing_id}/decision", summary="Approve or refuse a borrowing",
             dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE],
             responses=problem_responses(401, 403, 404, 409, 422))
async def decide_borrowing(borrowing_id: str, body: BorrowingDecision, session: SessionDep, who: PrincipalDep,
                           clock: ClockDep) -> BorrowingRead:
    """A supervisor of the project's site approves (for the days asked, from now) or refuses a borrowing."""
    row, project = await borrowing.get(session, borrowing_id)
    ensure_tenant(who, project.tenant)
    ensure_role(who, SUPERVISOR_ROLE, project.site_code)
    await borrowing.decide(session, row, approve=body.approve, note=body.note, by=who, now=clock.now())
    await session.commit()
    return borrowing_view(row, project)


@router.get("/archive-borrowings/{borrowing_id}/archive", dependencies=[BORROWER],
            summary="Read an archive under an approved borrowing", responses=problem_responses(401, 403, 404, 409))
async def borrowed_archive(borrowing_id: str, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                           settings: SettingsDep) -> dict[str, Any]:
    """The archive, for the borrower only, while the borrowing is approved and unexpired; the read is logged."""
    row, project = await borrowing.get(session, borrowing_id)
    borrowing.ensure_readable(row, by=who, now=clock.now())
    body = await borrowing.read(session, project, by=who, now=clock.now(), settings=settings, lent=row)
    await session.commit()
    return body
