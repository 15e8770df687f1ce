"""Escrow recovery of a bid after a bidder's technical failure (see ``domain/escrow.py``)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.api.deps import BID, ESCROW, WRITE, SettingsDep
from bianmin.bidding.api.projects import managed, projects_get
from bianmin.bidding.domain import escrow, opening
from bianmin.bidding.domain.errors import RecoveryNotFound
from bianmin.bidding.models import EscrowRecovery, EscrowShare, Project
from bianmin.bidding.schemas import RecoveryCreate, RecoveryRead, ShareSubmit, TransitionRequest
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, public, require_scopes

router = APIRouter(tags=["escrow"])


async def recovery_view(session: AsyncSession, project: Project, recovery: EscrowRecovery) -> RecoveryRead:
    """A recovery with its public submission log (who, when, the share's digest; never the share)."""
    rows = (await session.execute(select(EscrowShare).where(EscrowShare.recovery_id == recovery.id)
                                  .order_by(EscrowShare.id))).scalars()
    return RecoveryRead(id=recovery.id, project_code=project.code, bid_id=recovery.bid_id, reason=recovery.reason,
                        requested_by=recovery.requested_by, requested_at=recovery.requested_at, status=recovery.status,
                        completed_at=recovery.completed_at,
                        submissions=[{"custodian": r.custodian, "submitted_by": r.submitted_by,
                                      "submitted_at": r.submitted_at.isoformat(), "share_digest": r.share_digest}
                                     for r in rows])


async def _of_project(session: AsyncSession, project: Project, recovery_id: str) -> EscrowRecovery:
    recovery = await escrow.get_recovery(session, recovery_id)
    if recovery.project_id != project.id:
        raise RecoveryNotFound(f"No escrow recovery {recovery_id} in {project.code}.")
    return recovery


@router.post("/projects/{code}/bids/{bid_id}/recoveries", status_code=201,
             summary="Request escrow recovery after a technical failure", dependencies=[require_scopes(BID)],
             responses=problem_responses(401, 403, 404, 409, 422))
async def request_recovery(code: str, bid_id: str, body: RecoveryCreate, session: SessionDep, who: PrincipalDep,
                           idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> RecoveryRead:
    """The bidder records why it could not decrypt its own bid; the custodians may then open it."""
    project = await projects_get(session, code, who)
    bid = await opening.get_bid(session, project, bid_id)
    recovery = await escrow.request(session, project, bid, reason=body.reason, now=clock.now(), by=who,
                                    settings=settings)
    return await idem.finish(session, await recovery_view(session, project, recovery))


@router.post("/projects/{code}/recoveries/{recovery_id}/shares", summary="Submit a custodian's escrow share",
             dependencies=[require_scopes(ESCROW)], responses=problem_responses(401, 403, 404, 409, 422))
async def submit_share(code: str, recovery_id: str, body: ShareSubmit, session: SessionDep, who: PrincipalDep,
                       clock: ClockDep) -> RecoveryRead:
    """Log a custodian's share; the k-th valid one recovers the key in memory and opens the bid."""
    project = await projects_get(session, code, who)
    recovery = await _of_project(session, project, recovery_id)
    await escrow.submit_share(session, project, recovery, custodian=body.custodian, share=body.share,
                              now=clock.now(), by=who)
    await session.commit()
    return await recovery_view(session, project, recovery)


@router.post("/projects/{code}/recoveries/{recovery_id}/abandon", summary="Abandon an escrow recovery",
             dependencies=[require_scopes(WRITE)], responses=problem_responses(401, 403, 404, 409, 422))
async def abandon_recovery(code: str, recovery_id: str, body: TransitionRequest, session: SessionDep,
                           who: PrincipalDep, clock: ClockDep) -> RecoveryRead:
    """Give up a recovery whose shares cannot be gathered, so the opening can finish."""
    project = await managed(session, code, who)
    if not body.reason.strip():
        raise Unprocessable.field("reason", "state why the recovery is abandoned")
    recovery = await _of_project(session, project, recovery_id)
    await escrow.abandon(session, recovery, project, now=clock.now(), reason=body.reason)
    await session.commit()
    return await recovery_view(session, project, recovery)


@router.get("/projects/{code}/recoveries", summary="Escrow recoveries and their share log",
            responses=problem_responses(404), **public())
async def list_recoveries(code: str, session: SessionDep, who: PrincipalDep) -> list[RecoveryRead]:
    """Every escrow recovery of a tender with who submitted which share when."""
    project = await projects_get(session, code, who)
    rows = (await session.execute(select(EscrowRecovery).where(EscrowRecovery.project_id == project.id)
                                  .order_by(EscrowRecovery.requested_at))).scalars().all()
    return [await recovery_view(session, project, r) for r in rows]
