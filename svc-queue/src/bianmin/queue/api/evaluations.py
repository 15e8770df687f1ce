"""Evaluations after service (好差评) and the rectification cases of bad reviews.

国办发〔2019〕51号 (关于建立政务服务"好差评"制度提高政务服务水平的意见): the rating comes from the one who
was served, so only the ticket's holder rates it and re-rates it (追评), never the counter's key or a
clerk; the hall's own staff contact the citizen, fix the cause and may appeal (申诉); the appeal is
decided above the hall (申诉复核): by a hall manager of a strictly higher site, or an operator.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from bianmin.kit import subjects
from bianmin.kit.calendar import load_calendar
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import ScopeMissing, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import Principal, PrincipalDep, require_scopes
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.paths import RowId
from bianmin.kit.policy import SecondFactorRequired, SubjectNotAllowed, app, citizen, operator, policy, staff, supervisor
from bianmin.kit.sites import within
from bianmin.queue.api.deps import HALL_STAFF, HOLDING, SettingsDep, ensure_holder, hall_for
from bianmin.queue.api.views import case_view, evaluation_view
from bianmin.queue.domain import evaluation, halls, tickets
from bianmin.queue.domain.errors import DecidedAboveSite
from bianmin.queue.models import Hall
from bianmin.queue.schemas import EvaluationCreate, EvaluationRead, RectificationAction, RectificationRead

router = APIRouter(tags=["evaluations"])
CaseState = Literal["open", "contacted", "fixed", "appealed", "closed", "voided"]
# Who reads a rating or a case: its holder, the hall's staff, supervisors, operators, or a key of the hall.
READERS = policy(citizen(), staff(*HALL_STAFF, "cockpit_viewer"), supervisor(), operator(), app())
DECISIONS = ("appeal_upheld", "appeal_rejected")


@router.post("/tickets/{ticket_id}/evaluation", status_code=201, summary="Evaluate a service",
             dependencies=[require_scopes("queue:write"), HOLDING], responses=problem_responses(401, 403, 404, 409, 422))
async def evaluate(ticket_id: RowId, body: EvaluationCreate, session: SessionDep, who: PrincipalDep,
                   idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> EvaluationRead:
    """Rate a finished service once (一次一评); only the ticket's holder rates; a bad review opens a rectification case."""
    ticket = await tickets.get_ticket(session, ticket_id, lock=True)
    hall = await hall_for(session, who, ticket.hall_code)
    ensure_holder(who, ticket.holder)
    item, case = await evaluation.submit(
        session, ticket=ticket, hall=hall, level=body.level, comment=body.comment, now=clock.now(),
        calendar=await load_calendar(session),
        deadlines=evaluation.Deadlines(settings.rectification_contact_days, settings.rectification_fix_days))
    return await idem.finish(session, evaluation_view(item, case))


@router.get("/tickets/{ticket_id}/evaluation", summary="Read a ticket's evaluation",
            dependencies=[require_scopes("queue:read"), READERS], responses=problem_responses(401, 403, 404))
async def read_evaluation(ticket_id: RowId, session: ReadSessionDep, who: PrincipalDep) -> EvaluationRead:
    """The evaluation of a ticket (a citizen reads their own only)."""
    ticket = await tickets.get_ticket(session, ticket_id)
    await hall_for(session, who, ticket.hall_code, (*HALL_STAFF, "cockpit_viewer"))
    if who.is_a(subjects.CITIZEN):
        ensure_holder(who, ticket.holder)
    item = await evaluation.get_evaluation(session, ticket)
    return evaluation_view(item, await evaluation.case_of(session, item.id))


@router.get("/rectifications", summary="List rectification cases",
            dependencies=[require_scopes("queue:read"),
                          policy(staff(*HALL_STAFF, "cockpit_viewer"), supervisor(), operator(), app())],
            responses=problem_responses(401, 403, 404, 422))
async def list_cases(session: ReadSessionDep, who: PrincipalDep, clock: ClockDep, page: PageDep,
                     hall: Annotated[str | None, Query()] = None, state: CaseState | None = None,
                     ) -> Page[RectificationRead]:
    """The rectification cases of the halls this caller may see (a staff member: the sites of its roles), newest first."""
    roles = (*HALL_STAFF, "cockpit_viewer")
    if hall is not None:
        await hall_for(session, who, hall, roles)
        scope: list[str] | None = [hall]
    elif who.is_a(subjects.STAFF):
        scope = [h.code for h in await halls.list_halls(session)
                 if any(who.has_role(role, h.code) for role in roles)]
    else:
        scope = None if who.district_wide else [who.tenant or ""]
    cases, cursor = await evaluation.list_cases(session, halls=scope, state=state, page=page)
    now, calendar = clock.now(), await load_calendar(session)
    return Page[RectificationRead](items=[case_view(c, now, calendar) for c in cases], next_cursor=cursor)


@router.post("/rectifications/{case_id}/actions", summary="Advance a rectification case",
             dependencies=[require_scopes("queue:write"), policy(citizen(), staff(*HALL_STAFF), operator(), app())],
             responses=problem_responses(401, 403, 404, 409, 422))
async def act(case_id: RowId, body: RectificationAction, session: SessionDep, who: PrincipalDep,
              clock: ClockDep) -> RectificationRead:
    """Record the contact, the fix, the citizen's re-rating (追评), an appeal (申诉) or its decision.

    The re-rating is the holder's alone; the contact, the fix and the appeal are the hall's staff's;
    the decision on an appeal is taken above the hall (:func:`ensure_decides_above`).
    """
    case = await evaluation.get_case(session, case_id)
    hall = await hall_for(session, who, case.hall_code, ("hall_manager",) if body.action in DECISIONS else HALL_STAFF)
    if body.action == "re_rate":
        ensure_holder(who, (await evaluation.ticket_of(session, case)).holder)
    elif body.action in DECISIONS:
        ensure_decides_above(who, hall)
    elif who.is_a(subjects.CITIZEN, subjects.OPERATOR):
        raise SubjectNotAllowed("Contact, fix and appeal are the hall's staff's; a citizen re-rates only.")
    elif who.subject is None and not who.has_scope("queue:manage"):
        # A key acting alone keeps the scope these steps always needed.
        raise ScopeMissing("Contact, fix and appeal need the scope queue:manage.")
    evaluation.act(case, action=body.action, note=body.note, level=body.level, now=clock.now())
    await session.flush()
    view = case_view(case, clock.now(), await load_calendar(session))
    await session.commit()
    return view


def ensure_decides_above(who: Principal, hall: Hall) -> None:
    """403 ``decided_above_site`` unless the caller sits strictly above the rated hall, or is an operator.

    国办发〔2019〕51号 (申诉复核): a hall does not decide the appeal against its own bad review. A staff
    subject needs ``hall_manager`` (second factor) held at a strict ancestor of the hall's site; a key
    acting alone needs ``queue:manage`` and a tenancy strictly above the hall (the district's).
    """
    if who.is_a(subjects.OPERATOR) or (who.operator and who.subject is None):
        return
    if who.is_a(subjects.STAFF):
        assert who.subject is not None
        if not who.subject.second_factor:
            raise SecondFactorRequired("Deciding an appeal needs a sign-in with a second factor (TOTP).")
        above = any(r.name == "hall_manager" and r.site != hall.code and within(hall.code, r.site)
                    for r in who.subject.roles)
    elif who.subject is not None:
        raise SubjectNotAllowed(f"A {who.subject.kind} does not decide appeals.")
    else:
        above = who.has_scope("queue:manage") and who.tenant != hall.tenant
    if not above:
        raise DecidedAboveSite(f"An appeal against a review of hall {hall.code} is decided above that hall.")
