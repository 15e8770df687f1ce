"""Direct-contract filings (直接发包备案) and the buyers' project registry they name (``domain/filings.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.bidding.api.deps import (
    AGENT,
    AGENT_OR_SUPERVISOR,
    SUPERVISE,
    SUPERVISE_DECIDE,
    SUPERVISOR_ROLE,
    TENDER_AGENT,
    WRITE,
    SettingsDep,
    managed,
)
from bianmin.bidding.domain import filings
from bianmin.bidding.domain.errors import DirectContractOverThreshold, DirectContractSplit
from bianmin.bidding.schemas import DirectContractCreate, ProjectRead, SubjectCreate, SubjectRead, TransitionRequest
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import ScopeMissing, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import Principal, PrincipalDep, require_scopes
from bianmin.kit.policy import ensure_role
from bianmin.kit.schemas import CreditCode

router = APIRouter(tags=["filings"])


def _keeps_registry(who: Principal, site_code: str) -> None:
    """The registry is kept by the buyer's agent (``bidding:write``) or a supervisor (``bidding:supervise``)."""
    if who.subject is None:
        if not (who.has_scope(WRITE) or who.has_scope(SUPERVISE)):
            raise ScopeMissing(f"The project registry needs the scope {WRITE} or {SUPERVISE}.")
        return
    ensure_role(who, (TENDER_AGENT, SUPERVISOR_ROLE), site_code)


@router.post("/subjects", status_code=201, summary="Register a work in a buyer's project registry",
             dependencies=[AGENT_OR_SUPERVISOR], responses=problem_responses(401, 403, 409, 422))
async def register_subject(body: SubjectCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                           clock: ClockDep) -> SubjectRead:
    """Register a work once per buyer; direct-contract filings name it, and its kind sets the tender threshold."""
    _keeps_registry(who, body.site_code)
    subject = await filings.register_subject(session, body, now=clock.now(), by=who)
    return await idem.finish(session, SubjectRead.model_validate(subject))


@router.get("/subjects", summary="A buyer's project registry", dependencies=[AGENT_OR_SUPERVISOR],
            responses=problem_responses(401, 403, 422))
async def list_subjects(session: ReadSessionDep, who: PrincipalDep,
                        buyer_credit_code: Annotated[CreditCode | None, Query()] = None) -> list[SubjectRead]:
    """The registered works of the caller's sites, by buyer and code."""
    if who.subject is None and not (who.has_scope(WRITE) or who.has_scope(SUPERVISE)):
        raise ScopeMissing(f"The project registry needs the scope {WRITE} or {SUPERVISE}.")
    return [SubjectRead.model_validate(s)
            for s in await filings.list_subjects(session, who, buyer_credit_code=buyer_credit_code)]


@router.post("/direct-contracts", status_code=201, summary="File a direct contract",
             dependencies=[require_scopes(WRITE), AGENT], responses=problem_responses(401, 403, 409, 422))
async def file_direct_contract(body: DirectContractCreate, session: SessionDep, who: PrincipalDep,
                               idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> ProjectRead:
    """File a direct contract (直接发包) below its kind's threshold; it waits for a supervisor's approval.

    A filing refused as over the threshold or split is kept and shown to supervisors as an alert.
    """
    ensure_role(who, TENDER_AGENT, body.site_code)
    try:
        project = await filings.file_direct(session, body, now=clock.now(), by=who, settings=settings)
    except (DirectContractOverThreshold, DirectContractSplit) as refusal:
        await session.rollback()
        await filings.keep_refusal(session, body, refusal, now=clock.now(), by=who)
        await session.commit()
        raise
    return await idem.finish(session, ProjectRead.model_validate(project))


@router.post("/direct-contracts/{code}/approve", summary="Approve a direct-contract filing",
             dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE], responses=problem_responses(401, 403, 404, 409))
async def approve_direct_contract(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> ProjectRead:
    """A supervisor of the filing's site approves it, and only then it counts as awarded; its filer may not.

    招标投标法 §66 and 实施条例 §9 allow skipping a tender in narrow cases only; the supervising
    department, with a second factor, confirms the case is one of them.
    """
    project = await managed(session, code, who, SUPERVISOR_ROLE)
    await filings.approve_direct(session, project, now=clock.now(), by=who)
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/direct-contracts/{code}/reject", summary="Reject a direct-contract filing",
             dependencies=[require_scopes(SUPERVISE), SUPERVISE_DECIDE],
             responses=problem_responses(401, 403, 404, 409, 422))
async def reject_direct_contract(code: str, body: TransitionRequest, session: SessionDep, who: PrincipalDep,
                                 clock: ClockDep) -> ProjectRead:
    """A supervisor of the filing's site rejects it with the reason: the contract must be tendered."""
    project = await managed(session, code, who, SUPERVISOR_ROLE)
    await filings.reject_direct(session, project, reason=body.reason, now=clock.now(), by=who)
    await session.commit()
    return ProjectRead.model_validate(project)
