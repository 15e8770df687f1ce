"""Demands: read one, pay it, reject it with every discrepancy, or suspend an extend-or-pay demand (the issuer)."""

from __future__ import annotations

from fastapi import APIRouter

from bianmin.guarantee.api.deps import KeyRingDep, claim_read
from bianmin.guarantee.domain import access, claims
from bianmin.guarantee.domain.records import actor_of
from bianmin.guarantee.schemas import ClaimPay, ClaimRead, ClaimReject, ClaimSuspend
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import PrincipalDep

router = APIRouter(tags=["claims"])


@router.get("/claims/{number}", summary="A demand", responses=problem_responses(401, 404))
async def get_claim(number: str, session: SessionDep, who: PrincipalDep) -> ClaimRead:
    """One demand and its examination."""
    claim, guarantee = await claims.get_claim(session, number)
    access.ensure_visible(who, guarantee)
    return claim_read(claim, guarantee)


@router.post("/claims/{number}/pay", summary="Pay a demand", responses=problem_responses(401, 403, 404, 409, 422))
async def pay(number: str, body: ClaimPay, session: SessionDep, who: PrincipalDep, keyring: KeyRingDep,
              clock: ClockDep) -> ClaimRead:
    """The issuer pays a complying demand; the guarantee ends paid."""
    claim, guarantee = await claims.get_claim(session, number, lock=True)
    access.ensure_issuer(who, guarantee)
    await claims.pay(session, claim, guarantee, payment_reference=body.payment_reference, actor=actor_of(who),
                     keyring=keyring, now=clock.now())
    await session.commit()
    return claim_read(claim, guarantee)


@router.post("/claims/{number}/reject", summary="Reject a demand", responses=problem_responses(401, 403, 404, 409, 422))
async def reject(number: str, body: ClaimReject, session: SessionDep, who: PrincipalDep, keyring: KeyRingDep,
                 clock: ClockDep) -> ClaimRead:
    """The issuer rejects a demand in one notice listing every discrepancy; the guarantee stays in force."""
    claim, guarantee = await claims.get_claim(session, number, lock=True)
    access.ensure_issuer(who, guarantee)
    await claims.reject(session, claim, guarantee, discrepancies=body.discrepancies, actor=actor_of(who),
                        keyring=keyring, now=clock.now())
    await session.commit()
    return claim_read(claim, guarantee)


@router.post("/claims/{number}/suspend", summary="Suspend payment of an extend-or-pay demand",
             responses=problem_responses(401, 403, 404, 409, 422))
async def suspend(number: str, body: ClaimSuspend, session: SessionDep, who: PrincipalDep, keyring: KeyRingDep,
                  clock: ClockDep) -> ClaimRead:
    """The issuer suspends payment (at most 30 days) while the applicant decides to extend (URDG 758 art. 23)."""
    claim, guarantee = await claims.get_claim(session, number, lock=True)
    access.ensure_issuer(who, guarantee)
    await claims.suspend(session, claim, guarantee, until=body.until, actor=actor_of(who), keyring=keyring,
                         now=clock.now())
    await session.commit()
    return claim_read(claim, guarantee)
