"""Evaluations (好差评): ratings, rectification cases, appeals."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from sqlalchemy import select

from bianmin.catalog.api.deps import READ, WRITE
from bianmin.catalog.domain import evaluations as domain
from bianmin.catalog.domain.applications import get_application
from bianmin.catalog.models import Application, Evaluation
from bianmin.catalog.schemas import EvaluationCreate, EvaluationRead, EvaluationStep
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.paths import RowId

router = APIRouter(tags=["evaluations"])
CaseStatus = Literal["open", "contacted", "rectified", "closed", "appealed", "voided"]


def present(evaluation: Evaluation, number: str) -> EvaluationRead:
    """The API view of an evaluation."""
    return EvaluationRead.model_validate({
        **{c: getattr(evaluation, c) for c in EvaluationRead.model_fields
           if c not in ("application_number", "level_name", "bad")},
        "application_number": number, "level_name": domain.LEVEL_NAMES[evaluation.level],
        "bad": domain.is_bad(evaluation.level)})


@router.post("/evaluations", status_code=201, summary="Rate an application", dependencies=[WRITE],
             responses=problem_responses(401, 403, 404, 409, 422))
async def rate(body: EvaluationCreate, request: Request, session: SessionDep, who: PrincipalDep, clock: ClockDep,
               idem: IdempotencyDep) -> EvaluationRead:
    """One rating per application (一事一评); a bad one opens a rectification case."""
    settings = request.app.state.settings
    application = await get_application(session, body.application_number, who)
    evaluation = await domain.rate(session, application, level=body.level, comment=body.comment, now=clock.now(),
                                   contact_days=settings.rectification_contact_days,
                                   fix_days=settings.rectification_days)
    return await idem.finish(session, present(evaluation, application.number))


@router.get("/evaluations", summary="List evaluations", dependencies=[READ], responses=problem_responses(401, 403, 422))
async def list_evaluations(
    session: SessionDep, who: PrincipalDep, page: PageDep,
    site: Annotated[str | None, Query(max_length=20)] = None,
    department: Annotated[str | None, Query(max_length=40)] = None,
    case_status: CaseStatus | None = None,
    bad: bool | None = None,
) -> Page[EvaluationRead]:
    """Newest first; a township key sees its own sites' evaluations."""
    query = select(Evaluation, Application.number).join(Application, Application.id == Evaluation.application_id)
    if not who.district_wide:
        query = query.where(Evaluation.tenant == who.tenant)
    if site is not None:
        query = query.where(Evaluation.site_code == site)
    if department is not None:
        query = query.where(Evaluation.department_code == department)
    if case_status is not None:
        query = query.where(Evaluation.case_status == case_status)
    if bad is not None:
        query = query.where(Evaluation.level <= 2 if bad else Evaluation.level >= 3)
    if page.after is not None:
        if len(page.after) != 1 or not isinstance(page.after[0], int):
            raise Unprocessable.field("cursor", "is not a cursor of this list")
        query = query.where(Evaluation.id < page.after[0])
    rows = (await session.execute(query.order_by(Evaluation.id.desc()).limit(page.limit + 1))).all()
    rows, cursor = page.cut(rows, lambda last: [last[0].id])
    return Page(items=[present(e, n) for e, n in rows], next_cursor=cursor)


@router.get("/evaluations/{evaluation_id}", summary="Read an evaluation", dependencies=[READ],
            responses=problem_responses(401, 403, 404))
async def read_evaluation(evaluation_id: RowId, session: SessionDep, who: PrincipalDep) -> EvaluationRead:
    """One evaluation with its rectification case."""
    return present(*await domain.get_evaluation(session, evaluation_id, who))


@router.post("/evaluations/{evaluation_id}/steps", summary="Advance a rectification case", dependencies=[WRITE],
             responses=problem_responses(401, 403, 404, 409, 422))
async def case_step(evaluation_id: RowId, body: EvaluationStep, session: SessionDep, who: PrincipalDep,
                    clock: ClockDep) -> EvaluationRead:
    """Contact, rectify, second rating (追评), appeal (申诉) or decide an appeal; 409 out of order."""
    evaluation, number = await domain.get_evaluation(session, evaluation_id, who)
    await domain.step(session, evaluation, body.action, who=who, now=clock.now(), note=body.note, level=body.level,
                      upheld=body.upheld)
    view = present(evaluation, number)
    await session.commit()
    return view
