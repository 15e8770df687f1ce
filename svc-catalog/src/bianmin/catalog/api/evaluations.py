"""Evaluations (好差评): ratings, rectification cases, appeals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.catalog.api.deps import READ, WRITE, SettingsDep
from bianmin.catalog.api.views import evaluation_view
from bianmin.catalog.domain import evaluations as domain
from bianmin.catalog.domain.applications import get_application
from bianmin.catalog.schemas import CaseStatus, EvaluationCreate, EvaluationRead, EvaluationStep
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.paths import RowId
from bianmin.kit.policy import app, citizen, operator, policy, staff, supervisor

router = APIRouter(tags=["evaluations"])
# Who reads evaluations: the applicant their own, staff where they hold a role, supervisors and apps by tenancy.
READERS = policy(citizen(), staff(), supervisor(), operator(), app())
# Only the applicant rates (国办发〔2019〕51号); staff and keys are admitted so that the refusal names the rule
# (403 not_the_holder) rather than only their kind.
RATERS = policy(citizen(), staff(), app())


@router.post("/evaluations", status_code=201, summary="Rate an application", dependencies=[WRITE, RATERS],
             responses=problem_responses(401, 403, 404, 409, 422))
async def rate(body: EvaluationCreate, session: SessionDep, who: PrincipalDep, clock: ClockDep,
               settings: SettingsDep, idem: IdempotencyDep) -> EvaluationRead:
    """One rating per application (一事一评), by its applicant only (国办发〔2019〕51号); a bad one opens a rectification case."""
    application = await get_application(session, body.application_number, who)
    evaluation = await domain.rate(session, application, who=who, level=body.level, comment=body.comment, now=clock.now(),
                                   contact_days=settings.rectification_contact_days,
                                   fix_days=settings.rectification_days)
    return await idem.finish(session, evaluation_view(evaluation, application.number))


@router.get("/evaluations", summary="List evaluations", dependencies=[READ, READERS], responses=problem_responses(401, 403, 422))
async def list_evaluations(
    session: ReadSessionDep, who: PrincipalDep, page: PageDep,
    site: Annotated[str | None, Query(max_length=20)] = None,
    department: Annotated[str | None, Query(max_length=40)] = None,
    case_status: CaseStatus | None = None,
    bad: bool | None = None,
) -> Page[EvaluationRead]:
    """Newest first; the applicant sees their own, staff their sites', a township key its own sites'."""
    rows, cursor = await domain.list_evaluations(
        session, who, domain.EvaluationFilter(site=site, department=department, case_status=case_status, bad=bad),
        page=page)
    return Page(items=[evaluation_view(e, n) for e, n in rows], next_cursor=cursor)


@router.get("/evaluations/{evaluation_id}", summary="Read an evaluation", dependencies=[READ, READERS],
            responses=problem_responses(401, 403, 404))
async def read_evaluation(evaluation_id: RowId, session: ReadSessionDep, who: PrincipalDep) -> EvaluationRead:
    """One evaluation with its rectification case."""
    return evaluation_view(*await domain.get_evaluation(session, evaluation_id, who))


@router.post("/evaluations/{evaluation_id}/steps", summary="Advance a rectification case",
             dependencies=[WRITE, policy(citizen(), staff("hall_manager", "acceptor", "approver"), operator(), app())],
             responses=problem_responses(401, 403, 404, 409, 422))
async def case_step(evaluation_id: RowId, body: EvaluationStep, session: SessionDep, who: PrincipalDep,
                    clock: ClockDep) -> EvaluationRead:
    """Contact, rectify, second rating (追评), appeal (申诉) or decide an appeal; 409 out of order."""
    evaluation, number = await domain.get_evaluation(session, evaluation_id, who)
    await domain.step(session, evaluation, body.action, who=who, now=clock.now(), note=body.note, level=body.level,
                      upheld=body.upheld)
    view = evaluation_view(evaluation, number)
    await session.commit()
    return view
