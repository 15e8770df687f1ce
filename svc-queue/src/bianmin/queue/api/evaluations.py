"""Evaluations after service (好差评) and the rectification cases of bad reviews."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from bianmin.kit.calendar import load_calendar
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, require_scopes
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.paths import RowId
from bianmin.queue.api.deps import SettingsDep, cursor_id, hall_for
from bianmin.queue.domain import evaluation, tickets
from bianmin.queue.domain.errors import EvaluationNotFound
from bianmin.queue.models import Evaluation, Rectification
from bianmin.queue.schemas import EvaluationCreate, EvaluationRead, RectificationAction, RectificationRead

router = APIRouter(tags=["evaluations"])
CaseState = Literal["open", "contacted", "fixed", "appealed", "closed", "voided"]


def evaluation_view(item: Evaluation, case: Rectification | None) -> EvaluationRead:
    """An evaluation with its level named."""
    return EvaluationRead(id=item.id, ticket_id=item.ticket_id, hall_code=item.hall_code, level=item.level,
                          level_name=evaluation.LEVELS[item.level], bad_review=item.level <= evaluation.BAD,
                          comment=item.comment, created_at=item.created_at,
                          rectification_id=case.id if case else None)


@router.post("/tickets/{ticket_id}/evaluation", status_code=201, summary="Evaluate a service",
             dependencies=[require_scopes("queue:write")], responses=problem_responses(401, 403, 404, 409, 422))
async def evaluate(ticket_id: RowId, body: EvaluationCreate, session: SessionDep, who: PrincipalDep,
                   idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> EvaluationRead:
    """Rate a finished service once (一次一评); a bad review opens a rectification case."""
    ticket = await tickets.get_ticket(session, ticket_id, lock=True)
    hall = await hall_for(session, who, ticket.hall_code)
    item, case = await evaluation.submit(
        session, ticket=ticket, hall=hall, level=body.level, comment=body.comment, now=clock.now(),
        calendar=await load_calendar(session),
        deadlines=evaluation.Deadlines(settings.rectification_contact_days, settings.rectification_fix_days))
    return await idem.finish(session, evaluation_view(item, case))


@router.get("/tickets/{ticket_id}/evaluation", summary="Read a ticket's evaluation",
            dependencies=[require_scopes("queue:read")], responses=problem_responses(401, 403, 404))
async def read_evaluation(ticket_id: RowId, session: SessionDep, who: PrincipalDep) -> EvaluationRead:
    """The evaluation of a ticket."""
    ticket = await tickets.get_ticket(session, ticket_id)
    await hall_for(session, who, ticket.hall_code)
    item = await session.scalar(select(Evaluation).where(Evaluation.ticket_id == ticket.id))
    if item is None:
        raise EvaluationNotFound(f"Ticket {ticket.number} has no evaluation.")
    case = await session.scalar(select(Rectification).where(Rectification.evaluation_id == item.id))
    return evaluation_view(item, case)


def case_view(case: Rectification, clock: ClockDep) -> RectificationRead:
    """A case with its overdue flag."""
    view = RectificationRead.model_validate(case)
    view.overdue = evaluation.overdue(case, clock.now())
    return view


@router.get("/rectifications", summary="List rectification cases", dependencies=[require_scopes("queue:read")],
            responses=problem_responses(401, 403, 404, 422))
async def list_cases(session: SessionDep, who: PrincipalDep, clock: ClockDep, page: PageDep,
                     hall: Annotated[str | None, Query()] = None, state: CaseState | None = None,
                     ) -> Page[RectificationRead]:
    """The rectification cases of the halls this key may see, newest first."""
    if hall is not None:
        await hall_for(session, who, hall)
        scope: list[str] | None = [hall]
    else:
        scope = None if who.district_wide else [who.tenant or ""]
    cases = list(await evaluation.list_cases(session, halls=scope, state=state, before=cursor_id(page.after),
                                             limit=page.limit + 1))
    cases, cursor = page.cut(cases, lambda last: [last.id])
    return Page[RectificationRead](items=[case_view(c, clock) for c in cases],
                                   next_cursor=cursor)


@router.post("/rectifications/{case_id}/actions", summary="Advance a rectification case",
             dependencies=[require_scopes("queue:manage")], responses=problem_responses(401, 403, 404, 409, 422))
async def act(case_id: RowId, body: RectificationAction, session: SessionDep, who: PrincipalDep,
              clock: ClockDep) -> RectificationRead:
    """Record the contact, the fix, the citizen's re-rating (追评), an appeal (申诉) or its decision."""
    case = await evaluation.get_case(session, case_id)
    await hall_for(session, who, case.hall_code)
    evaluation.act(case, action=body.action, note=body.note, level=body.level, now=clock.now())
    await session.flush()
    view = case_view(case, clock)
    await session.commit()
    return view
