"""Custodians' keys, their sealed escrow shares, and the recovery of a bid (see ``domain/escrow.py``)."""

from __future__ import annotations

from fastapi import APIRouter

from bianmin.bidding.api.deps import BID, EVERYONE, TENDER_AGENT, WRITE, SettingsDep, managed
from bianmin.bidding.api.views import recovery_view
from bianmin.bidding.custody import context
from bianmin.bidding.domain import escrow, opening
from bianmin.bidding.domain.common import get_visible
from bianmin.bidding.models import EscrowRecovery, Project
from bianmin.bidding.schemas import (
    CustodianKeyRead,
    CustodianKeySet,
    RecoveryCreate,
    RecoveryRead,
    SealedShareRead,
    ShareSubmit,
    TransitionRequest,
)
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, public, require_scopes
from bianmin.kit.policy import app, custodian, enterprise, policy, staff

router = APIRouter(tags=["escrow"])
# A custodian acts with their own account and a second factor: the share decrypts bids (电子招标投标办法).
CUSTODIAN = policy(custodian(second_factor=True))


async def _view(session: SessionDep, project: Project, recovery: EscrowRecovery) -> RecoveryRead:
    logs = await escrow.share_logs(session, [recovery])
    return recovery_view(project, recovery, logs[recovery.id])


def _account(who: PrincipalDep) -> str:
    assert who.subject is not None  # CUSTODIAN admits custodian accounts only
    return who.subject.id


@router.put("/custodians/me/key", summary="Register or rotate the signed-in custodian's public key",
            dependencies=[CUSTODIAN], responses=problem_responses(401, 403, 422))
async def set_custodian_key(body: CustodianKeySet, session: SessionDep, who: PrincipalDep,
                            clock: ClockDep) -> CustodianKeyRead:
    """Register (or rotate) the X25519 public key escrow shares are sealed to; the private key never comes here."""
    key = await escrow.register_key(session, custodian=_account(who), public_key=body.public_key, now=clock.now())
    await session.commit()
    return CustodianKeyRead.model_validate(key, from_attributes=True)


@router.get("/custodians/me/key", summary="The signed-in custodian's registered public key",
            dependencies=[CUSTODIAN], responses=problem_responses(401, 403, 404))
async def get_custodian_key(session: ReadSessionDep, who: PrincipalDep) -> CustodianKeyRead:
    """The public key registered by the signed-in custodian."""
    return CustodianKeyRead.model_validate(await escrow.key_of(session, _account(who)), from_attributes=True)


@router.get("/projects/{code}/escrow/my-share", summary="The signed-in custodian's own sealed share",
            dependencies=[CUSTODIAN], responses=problem_responses(401, 403, 404, 409))
async def get_my_share(code: str, session: ReadSessionDep, who: PrincipalDep) -> SealedShareRead:
    """The caller's own share of the tender's escrow key, sealed to their key, while a recovery collects shares.

    Another custodian's share is never served, and none before a recovery is requested (after the
    deadline, during the opening), so no group of custodians can open bids early (电子招标投标办法).
    """
    project = await get_visible(session, code, who)
    held = await escrow.share_for_recovery(session, project, _account(who))
    return SealedShareRead(project_code=project.code, custodian=held.custodian, position=held.position,
                           threshold=project.escrow_threshold or 0, sealed_share=held.sealed_share,
                           key_fingerprint=held.key_fingerprint,
                           context=context(project.code, held.custodian, held.position).decode())


@router.post("/projects/{code}/bids/{bid_id}/recoveries", status_code=201,
             summary="Request escrow recovery after a technical failure",
             dependencies=[require_scopes(BID), policy(enterprise(), app())],
             responses=problem_responses(401, 403, 404, 409, 422))
async def request_recovery(code: str, bid_id: str, body: RecoveryCreate, session: SessionDep, who: PrincipalDep,
                           idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> RecoveryRead:
    """The bidder records why it could not decrypt its own bid; the custodians may then open it."""
    project = await get_visible(session, code, who)
    bid = await opening.get_bid(session, project, bid_id)
    recovery = await escrow.request(session, project, bid, reason=body.reason, now=clock.now(), by=who,
                                    settings=settings)
    return await idem.finish(session, await _view(session, project, recovery))


@router.post("/projects/{code}/recoveries/{recovery_id}/shares", summary="Submit the signed-in custodian's escrow share",
             dependencies=[CUSTODIAN], responses=problem_responses(401, 403, 404, 409, 422))
async def submit_share(code: str, recovery_id: str, body: ShareSubmit, session: SessionDep, who: PrincipalDep,
                       clock: ClockDep) -> RecoveryRead:
    """Log the custodian's opened share; the k-th valid one from k distinct custodians recovers the key and opens the bid."""
    project = await get_visible(session, code, who)
    recovery = await escrow.recovery_of(session, project, recovery_id)
    await escrow.submit_share(session, project, recovery, share=body.share, now=clock.now(), by=who)
    await session.commit()
    return await _view(session, project, recovery)


@router.post("/projects/{code}/recoveries/{recovery_id}/abandon", summary="Abandon an escrow recovery",
             dependencies=[require_scopes(WRITE), policy(staff(TENDER_AGENT), app())],
             responses=problem_responses(401, 403, 404, 409, 422))
async def abandon_recovery(code: str, recovery_id: str, body: TransitionRequest, session: SessionDep,
                           who: PrincipalDep, clock: ClockDep) -> RecoveryRead:
    """Give up a recovery whose shares cannot be gathered, so the opening can finish."""
    project = await managed(session, code, who)
    if not body.reason.strip():
        raise Unprocessable.field("reason", "state why the recovery is abandoned")
    recovery = await escrow.recovery_of(session, project, recovery_id)
    await escrow.abandon(session, recovery, project, now=clock.now(), reason=body.reason)
    await session.commit()
    return await _view(session, project, recovery)


@router.get("/projects/{code}/recoveries", summary="Escrow recoveries and their share log",
            dependencies=[EVERYONE], responses=problem_responses(404), **public())
async def list_recoveries(code: str, session: ReadSessionDep, who: PrincipalDep) -> list[RecoveryRead]:
    """Every escrow recovery of a tender with who submitted which share when (never a share)."""
    project = await get_visible(session, code, who)
    recoveries = await escrow.recoveries_of(session, project)
    logs = await escrow.share_logs(session, recoveries)
    return [recovery_view(project, r, logs[r.id]) for r in recoveries]
