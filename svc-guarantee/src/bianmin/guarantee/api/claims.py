"""Demands: read one, pay it, reject it with every discrepancy, or suspend an extend-or-pay demand (the issuer)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.guarantee.api import views
from bianmin.guarantee.api.deps import ISSUER_DECIDES, PARTIES, KeyRingDep
from bianmin.guarantee.domain import access, claims
from bianmin.guarantee.domain.records import actor_of
from bianmin.guarantee.schemas import ClaimPay, ClaimRead, ClaimReject, ClaimSuspend
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.pagination import Page, PageDep

router = APIRouter(tags=["claims"])


CLAIM_STATES = ("examining", "suspended", "payable", "paid", "rejected", "withdrawn")


@router.get("/claims", dependencies=[PARTIES], summary="List demands", responses=problem_responses(401, 422))
async def list_claims(
    session: ReadSessionDep, who: PrincipalDep, page: PageDep, clock: ClockDep,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(CLAIM_STATES) + ")$")] = None,
    overdue: Annotated[bool, Query(description="Only demands still under examination past their deadline.")] = False,
) -> Page[ClaimRead]:
    """The demands this key may see (issuers theirs, tenderers theirs, staff their sites'), oldest first."""
    rows, cursor = await claims.listed(session, page, principal=who, status=status,
                                       overdue_at=clock.now() if overdue else None)
    return Page(items=[views.claim_read(c, g) for c, g in rows], next_cursor=cursor)


@router.get("/claims/{number}", dependencies=[PARTIES], summary="A demand", responses=problem_responses(401, 404))
async def get_claim(number: str, session: ReadSessionDep, who: PrincipalDep) -> ClaimRead:
    """One demand and its examination."""
    claim, guarantee = await claims.get_claim(session, number)
    access.ensure_visible(who, guarantee)
    return views.claim_read(claim, guarantee)


@router.post("/claims/{number}/pay", dependencies=[ISSUER_DECIDES], summary="Pay a demand",
             responses=problem_responses(401, 403, 404, 409, 422))
async def pay(number: str, body: ClaimPay, session: SessionDep, who: PrincipalDep, keyring: KeyRingDep,
              clock: ClockDep) -> ClaimRead:
    """The issuer pays a complying demand; the guarantee ends paid."""
    claim, guarantee = await claims.get_claim(session, number, lock=True)
    access.ensure_issuer(who, guarantee)
    await claims.pay(session, claim, guarantee, payment_reference=body.payment_reference, actor=actor_of(who),
                     keyring=keyring, now=clock.now())
    await session.commit()
    return views.claim_read(claim, guarantee)


@router.post("/claims/{number}/reject", dependencies=[ISSUER_DECIDES], summary="Reject a demand",
             responses=problem_responses(401, 403, 404, 409, 422))
async def reject(number: str, body: ClaimReject, session: SessionDep, who: PrincipalDep, keyring: KeyRingDep,
                 clock: ClockDep) -> ClaimRead:
    """The issuer rejects a demand in one notice listing every discrepancy; the guarantee stays in force."""
    claim, guarantee = await claims.get_claim(session, number, lock=True)
    access.ensure_issuer(who, guarantee)
    await claims.reject(session, claim, guarantee, discrepancies=body.discrepancies, actor=actor_of(who),
                        keyring=keyring, now=clock.now())
    await session.commit()
    return views.claim_read(claim, guarantee)


@router.post("/claims/{number}/suspend", dependencies=[ISSUER_DECIDES], summary="Suspend payment of an extend-or-pay demand",
             responses=problem_responses(401, 403, 404, 409, 422))
async def suspend(number: str, body: ClaimSuspend, session: SessionDep, who: PrincipalDep, keyring: KeyRingDep,
                  clock: ClockDep) -> ClaimRead:
    """The issuer suspends payment (at most 30 days) while the applicant decides to extend (URDG 758 art. 23)."""
    claim, guarantee = await claims.get_claim(session, number, lock=True)
    access.ensure_issuer(who, guarantee)
    await claims.suspend(session, claim, guarantee, until=body.until, actor=actor_of(who), keyring=keyring,
                         now=clock.now())
    await session.commit()
    return views.claim_read(claim, guarantee)
