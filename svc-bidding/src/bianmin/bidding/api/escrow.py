"""Escrow recovery of a bid after a bidder's technical failure (see ``domain/escrow.py``)."""

from __future__ import annotations

from fastapi import APIRouter

from bianmin.bidding.api.deps import BID, ESCROW, WRITE, SettingsDep
from bianmin.bidding.api.views import recovery_view
from bianmin.bidding.domain import escrow, opening
from bianmin.bidding.domain.common import get_managed, get_visible
from bianmin.bidding.models import EscrowRecovery, Project
from bianmin.bidding.schemas import RecoveryCreate, RecoveryRead, ShareSubmit, TransitionRequest
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, public, require_scopes

router = APIRouter(tags=["escrow"])


async def _view(session: SessionDep, project: Project, recovery: EscrowRecovery) -> RecoveryRead:
    logs = await escrow.share_logs(session, [recovery])
    return recovery_view(project, recovery, logs[recovery.id])


@router.post("/projects/{code}/bids/{bid_id}/recoveries", status_code=201,
             summary="Request escrow recovery after a technical failure", dependencies=[require_scopes(BID)],
             responses=problem_responses(401, 403, 404, 409, 422))
async def request_recovery(code: str, bid_id: str, body: RecoveryCreate, session: SessionDep, who: PrincipalDep,
                           idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> RecoveryRead:
    """The bidder records why it could not decrypt its own bid; the custodians may then open it."""
    project = await get_visible(session, code, who)
    bid = await opening.get_bid(session, project, bid_id)
    recovery = await escrow.request(session, project, bid, reason=body.reason, now=clock.now(), by=who,
                                    settings=settings)
    return await idem.finish(session, await _view(session, project, recovery))


@router.post("/projects/{code}/recoveries/{recovery_id}/shares", summary="Submit a custodian's escrow share",
             dependencies=[require_scopes(ESCROW)], responses=problem_responses(401, 403, 404, 409, 422))
async def submit_share(code: str, recovery_id: str, body: ShareSubmit, session: SessionDep, who: PrincipalDep,
                       clock: ClockDep) -> RecoveryRead:
    """Log a custodian's share; the k-th valid one recovers the key in memory and opens the bid."""
    project = await get_visible(session, code, who)
    recovery = await escrow.recovery_of(session, project, recovery_id)
    await escrow.submit_share(session, project, recovery, custodian=body.custodian, share=body.share,
                              now=clock.now(), by=who)
    await session.commit()
    return await _view(session, project, recovery)


@router.post("/projects/{code}/recoveries/{recovery_id}/abandon", summary="Abandon an escrow recovery",
             dependencies=[require_scopes(WRITE)], responses=problem_responses(401, 403, 404, 409, 422))
async def abandon_recovery(code: str, recovery_id: str, body: TransitionRequest, session: SessionDep,
                           who: PrincipalDep, clock: ClockDep) -> RecoveryRead:
    """Give up a recovery whose shares cannot be gathered, so the opening can finish."""
    project = await get_managed(session, code, who)
    if not body.reason.strip():
        raise Unprocessable.field("reason", "state why the recovery is abandoned")
    recovery = await escrow.recovery_of(session, project, recovery_id)
    await escrow.abandon(session, recovery, project, now=clock.now(), reason=body.reason)
    await session.commit()
    return await _view(session, project, recovery)


@router.get("/projects/{code}/recoveries", summary="Escrow recoveries and their share log",
            responses=problem_responses(404), **public())
async def list_recoveries(code: str, session: ReadSessionDep, who: PrincipalDep) -> list[RecoveryRead]:
    """Every escrow recovery of a tender with who submitted which share when."""
    project = await get_visible(session, code, who)
    recoveries = await escrow.recoveries_of(session, project)
    logs = await escrow.share_logs(session, recoveries)
    return [recovery_view(project, r, logs[r.id]) for r in recoveries]
