"""Guarantees: apply, underwrite, issue, amend, release, withdraw, and demands on them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.guarantee.api import views
from bianmin.guarantee.api.deps import APPLICANT, BENEFICIARY_OR_CENTRE, ISSUER, ISSUER_OR_CENTRE, PARTIES, KeyRingDep
from bianmin.guarantee.domain import access, amendments, claims, guarantees
from bianmin.guarantee.domain.errors import NotTheBeneficiary, ReleaseNotAllowed
from bianmin.guarantee.domain.records import actor_of
from bianmin.guarantee.schemas import (
    AmendmentCreate,
    AmendmentRead,
    ClaimCreate,
    ClaimRead,
    GuaranteeApply,
    GuaranteeRead,
    ReleaseRequest,
)
from bianmin.kit.calendar import load_calendar
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, require_scopes
from bianmin.kit.pagination import Page, PageDep

router = APIRouter(tags=["guarantees"])
STATES = ("applied", "underwriting", "declined", "withdrawn", "issued", "claimed", "paid", "released", "expired")


@router.post("/guarantees", status_code=201, summary="Apply for a guarantee",
             dependencies=[require_scopes("guarantee:apply"), APPLICANT], responses=problem_responses(401, 403, 404, 409, 422))
async def apply(body: GuaranteeApply, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                clock: ClockDep) -> GuaranteeRead:
    """Apply for a bid bond or a performance bond for one's own enterprise; priced by the tariff of today."""
    access.ensure_applicant(who, body.applicant_credit_code)
    guarantee = await guarantees.apply(
        session, type=body.type, issuer_code=body.issuer_code, project_code=body.project_code,
        section_code=body.section_code, applicant_credit_code=body.applicant_credit_code,
        applicant_name=body.applicant_name, amount=body.amount, expires_on=body.expires_on, actor=actor_of(who),
        now=clock.now())
    return await idem.finish(session, views.guarantee_read(guarantee, await guarantees.steps_of(session, guarantee)))


@router.get("/guarantees", dependencies=[PARTIES], summary="List guarantees", responses=problem_responses(401, 422))
async def list_guarantees(
    session: ReadSessionDep, who: PrincipalDep, page: PageDep,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(STATES) + ")$")] = None,
    project_code: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[GuaranteeRead]:
    """The guarantees this key may see: staff their sites', issuers their own, bidders and tenderers theirs."""
    rows, cursor = await guarantees.listed(session, page, principal=who, status=status, project_code=project_code)
    return Page(items=[views.guarantee_read(g) for g in rows], next_cursor=cursor)


@router.get("/guarantees/{number}", dependencies=[PARTIES], summary="A guarantee and its history", responses=problem_responses(401, 404))
async def get_guarantee(number: str, session: ReadSessionDep, who: PrincipalDep) -> GuaranteeRead:
    """One guarantee with every step: what, who and when."""
    guarantee = await guarantees.get(session, number)
    access.ensure_visible(who, guarantee)
    return views.guarantee_read(guarantee, await guarantees.steps_of(session, guarantee))


@router.post("/guarantees/{number}/underwrite", dependencies=[ISSUER], summary="Underwrite an application",
             responses=problem_responses(401, 403, 404, 409))
async def underwrite(number: str, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> GuaranteeRead:
    """Run the issuer's rules (limits, credit color); the application passes or is declined."""
    guarantee = await guarantees.get(session, number, lock=True)
    access.ensure_issuer(who, guarantee)
    await guarantees.underwrite(session, guarantee, actor=actor_of(who), now=clock.now())
    await session.commit()
    return views.guarantee_read(guarantee, await guarantees.steps_of(session, guarantee))


@router.post("/guarantees/{number}/issue", dependencies=[ISSUER], summary="Issue a guarantee",
             responses=problem_responses(401, 403, 404, 409))
async def issue(number: str, session: SessionDep, who: PrincipalDep, keyring: KeyRingDep,
                clock: ClockDep) -> GuaranteeRead:
    """Sign the canonical document with the issuer's key, append it to the ledger, publish and push it."""
    guarantee = await guarantees.get(session, number, lock=True)
    access.ensure_issuer(who, guarantee)
    await guarantees.issue(session, guarantee, actor=actor_of(who), keyring=keyring, now=clock.now())
    await session.commit()
    return views.guarantee_read(guarantee, await guarantees.steps_of(session, guarantee))


@router.post("/guarantees/{number}/release", dependencies=[ISSUER_OR_CENTRE], summary="Release a guarantee",
             responses=problem_responses(401, 403, 404, 409, 422))
async def release(number: str, body: ReleaseRequest, session: SessionDep, who: PrincipalDep,
                  keyring: KeyRingDep, clock: ClockDep) -> GuaranteeRead:
    """Release an issued guarantee (e.g. the winner's bid bond after contract signing): issuer or site staff."""
    guarantee = await guarantees.get(session, number, lock=True)
    access.ensure_visible(who, guarantee)
    if not (access.acts_for_issuer(who, guarantee.issuer_code) or access.staff_writes(who, guarantee.site_code)):
        raise ReleaseNotAllowed("Only the issuer or the trading centre releases a guarantee.")
    await guarantees.release(session, guarantee, reason=body.reason, actor=actor_of(who), keyring=keyring,
                             now=clock.now())
    await session.commit()
    return views.guarantee_read(guarantee, await guarantees.steps_of(session, guarantee))


@router.post("/guarantees/{number}/withdraw", dependencies=[APPLICANT], summary="Withdraw an application",
             responses=problem_responses(401, 403, 404, 409))
async def withdraw(number: str, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> GuaranteeRead:
    """The applicant withdraws an application before issue."""
    guarantee = await guarantees.get(session, number, lock=True)
    access.ensure_visible(who, guarantee)
    access.ensure_applicant(who, guarantee.applicant_credit_code)
    await guarantees.withdraw(session, guarantee, actor=actor_of(who), now=clock.now())
    await session.commit()
    return views.guarantee_read(guarantee, await guarantees.steps_of(session, guarantee))


@router.post("/guarantees/{number}/amendments", dependencies=[ISSUER], status_code=201, summary="Amend a guarantee",
             responses=problem_responses(401, 403, 404, 409, 422))
async def amend(number: str, body: AmendmentCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                keyring: KeyRingDep, clock: ClockDep) -> AmendmentRead:
    """Increase or extend an issued guarantee as its next numbered amendment (the issuer), re-signed."""
    guarantee = await guarantees.get(session, number, lock=True)
    access.ensure_issuer(who, guarantee)
    amendment = await amendments.amend(session, guarantee, kind=body.kind, new_amount=body.new_amount,
                                       new_expires_on=body.new_expires_on, reason=body.reason, actor=actor_of(who),
                                       keyring=keyring, now=clock.now())
    return await idem.finish(session, AmendmentRead.model_validate(amendment))


@router.get("/guarantees/{number}/amendments", dependencies=[PARTIES], summary="A guarantee's amendments",
            responses=problem_responses(401, 404))
async def list_amendments(number: str, session: ReadSessionDep, who: PrincipalDep) -> list[AmendmentRead]:
    """Every amendment, by number."""
    guarantee = await guarantees.get(session, number)
    access.ensure_visible(who, guarantee)
    return [AmendmentRead.model_validate(r) for r in await amendments.amendments_of(session, guarantee)]


@router.post("/guarantees/{number}/claims", dependencies=[BENEFICIARY_OR_CENTRE], status_code=201, summary="Make a demand",
             responses=problem_responses(401, 403, 404, 409, 422))
async def file_claim(number: str, body: ClaimCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                     keyring: KeyRingDep, clock: ClockDep) -> ClaimRead:
    """The beneficiary (or site staff for it) demands payment, or extend-or-pay, with a supporting statement."""
    guarantee = await guarantees.get(session, number, lock=True)
    access.ensure_visible(who, guarantee)
    if not (guarantee.beneficiary_credit_code in access.beneficiary_codes(who)
            or access.staff_writes(who, guarantee.site_code)):
        raise NotTheBeneficiary("Only the beneficiary makes a demand.")
    claim = await claims.file(session, guarantee, amount=body.amount, statement=body.statement, source="beneficiary",
                              actor=actor_of(who), calendar=await load_calendar(session), keyring=keyring,
                              now=clock.now(), kind=body.kind, requested_expires_on=body.requested_expires_on)
    return await idem.finish(session, views.claim_read(claim, guarantee))


@router.get("/guarantees/{number}/claims", dependencies=[PARTIES], summary="A guarantee's demands", responses=problem_responses(401, 404))
async def list_claims(number: str, session: ReadSessionDep, who: PrincipalDep) -> list[ClaimRead]:
    """Every demand on a guarantee."""
    guarantee = await guarantees.get(session, number)
    access.ensure_visible(who, guarantee)
    return [views.claim_read(c, guarantee) for c in await claims.claims_of(session, guarantee)]
