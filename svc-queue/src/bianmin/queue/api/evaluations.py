"""Evaluations after service (好差评) and the rectification cases of bad reviews."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from bianmin.kit.calendar import load_calendar
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, require_scopes
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.paths import RowId
from bianmin.queue.api.deps import SettingsDep, hall_for
from bianmin.queue.api.views import case_view, evaluation_view
from bianmin.queue.domain import evaluation, tickets
from bianmin.queue.schemas import EvaluationCreate, EvaluationRead, RectificationAction, RectificationRead

router = APIRouter(tags=["evaluations"])
CaseState = Literal["open", "contacted", "fixed", "appealed", "closed", "voided"]


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
async def read_evaluation(ticket_id: RowId, session: ReadSessionDep, who: PrincipalDep) -> EvaluationRead:
    """The evaluation of a ticket."""
    ticket = await tickets.get_ticket(session, ticket_id)
    await hall_for(session, who, ticket.hall_code)
    item = await evaluation.get_evaluation(session, ticket)
    return evaluation_view(item, await evaluation.case_of(session, item.id))


@router.get("/rectifications", summary="List rectification cases", dependencies=[require_scopes("queue:read")],
            responses=problem_responses(401, 403, 404, 422))
async def list_cases(session: ReadSessionDep, who: PrincipalDep, clock: ClockDep, page: PageDep,
                     hall: Annotated[str | None, Query()] = None, state: CaseState | None = None,
                     ) -> Page[RectificationRead]:
    """The rectification cases of the halls this key may see, newest first."""
    if hall is not None:
        await hall_for(session, who, hall)
        scope: list[str] | None = [hall]
    else:
        scope = None if who.district_wide else [who.tenant or ""]
    cases, cursor = await evaluation.list_cases(session, halls=scope, state=state, page=page)
    now = clock.now()
    return Page[RectificationRead](items=[case_view(c, now) for c in cases], next_cursor=cursor)


@router.post("/rectifications/{case_id}/actions", summary="Advance a rectification case",
             dependencies=[require_scopes("queue:manage")], responses=problem_responses(401, 403, 404, 409, 422))
async def act(case_id: RowId, body: RectificationAction, session: SessionDep, who: PrincipalDep,
              clock: ClockDep) -> RectificationRead:
    """Record the contact, the fix, the citizen's re-rating (追评), an appeal (申诉) or its decision."""
    case = await evaluation.get_case(session, case_id)
    await hall_for(session, who, case.hall_code)
    evaluation.act(case, action=body.action, note=body.note, level=body.level, now=clock.now())
    await session.flush()
    view = case_view(case, clock.now())
    await session.commit()
    return view
