"""Evaluation after service (好差评, 一次一评) and the rectification of bad reviews.

Five levels: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意; levels 1–2 are bad reviews. A ticket
is evaluated once, after it is done. Every bad review opens a rectification case:

    open ──contact──▶ contacted ──fix──▶ fixed ──re_rate──▶ closed
      └──────appeal (from open or contacted)──▶ appealed ──appeal_upheld──▶ voided
                                                   └──appeal_rejected──▶ back where it was

The citizen must be contacted within ``rectification_contact_days`` working days and the cause
fixed within ``rectification_fix_days`` working days (counted from the review, the review's day
being day zero); a case past either deadline shows as overdue. An upheld appeal (申诉复核) voids a
malicious review: the case closes as ``voided`` and the evaluation stays on record.

Deadlines follow the calendar (issue 20). While a running case's deadlines reach into a year whose
State Council notice is not loaded, they were counted by weekends alone there: its read says so
(:func:`provisional_reason`). When the calendar changes (a year's notice loaded or replaced, a day
mended), every running case whose deadlines it touches is counted again (:func:`rebase_deadlines`)
with the same number of working days, so a provisional deadline lands on its true day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.queue import EvaluationSubmitted
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.workdays import SHANGHAI, WorkCalendar, local_date
from bianmin.queue.domain.errors import (
    AlreadyEvaluated,
    EvaluationNotFound,
    RectificationNotFound,
    RectificationStepForbidden,
    TicketNotFinished,
)
from bianmin.queue.models import Evaluation, Hall, Line, Rectification, Ticket

LEVELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
BAD = 2
# The states in which a case's deadlines still run (an appeal rejected brings the case back to them).
RUNNING = ("open", "contacted", "appealed")


@dataclass(frozen=True)
class Deadlines:
    """Working days to contact the citizen and to fix the cause of a bad review."""

    contact_days: int = 1
    fix_days: int = 15


async def submit(session: AsyncSession, *, ticket: Ticket, hall: Hall, level: int, comment: str, now: datetime,
                 calendar: WorkCalendar, deadlines: Deadlines) -> tuple[Evaluation, Rectification | None]:
    """Record the one evaluation of a done ticket; a bad review opens a rectification case."""
    if ticket.state != "done":
        raise TicketNotFinished(f"Ticket {ticket.number} is {ticket.state}; only a finished service is evaluated.")
    if await session.scalar(select(Evaluation.id).where(Evaluation.ticket_id == ticket.id)) is not None:
        raise AlreadyEvaluated(f"Ticket {ticket.number} was evaluated already (一次一评).")
    evaluation = Evaluation(ticket_id=ticket.id, hall_code=ticket.hall_code, line_id=ticket.original_line_id,
                            counter_id=ticket.counter_id, level=level, comment=comment, created_at=now)
    session.add(evaluation)
    await session.flush()
    case = None
    if level <= BAD:
        day = local_date(now)
        case = Rectification(evaluation_id=evaluation.id, hall_code=ticket.hall_code, state="open",
                             contact_due=calendar.add_workdays(day, deadlines.contact_days),
                             fix_due=calendar.add_workdays(day, deadlines.fix_days), opened_at=now)
        session.add(case)
        await session.flush()
    line = await session.get(Line, ticket.original_line_id)
    assert line is not None
    await emit(session, "queue.evaluation.submitted", EvaluationSubmitted(
        evaluation_id=evaluation.id, ticket_id=ticket.id, number=ticket.number, hall_code=ticket.hall_code,
        line_prefix=line.prefix, counter_id=ticket.counter_id, item_code=ticket.item_code, level=level,
        level_name=LEVELS[level], bad_review=level <= BAD, rectification_id=case.id if case else None,
        submitted_at=now,
    ), tenant=hall.tenant, about=f"{ticket.hall_code}/{ticket.service_date.isoformat()}/{ticket.number}")
    return evaluation, case


async def get_case(session: AsyncSession, case_id: int) -> Rectification:
    """The rectification case with this id; 404 when there is none."""
    case = await session.scalar(select(Rectification).where(Rectification.id == case_id).with_for_update())
    if case is None:
        raise RectificationNotFound(f"No rectification {case_id}.")
    return case


async def get_evaluation(session: AsyncSession, ticket: Ticket) -> Evaluation:
    """The evaluation of a ticket; 404 when it has none."""
    item = await session.scalar(select(Evaluation).where(Evaluation.ticket_id == ticket.id))
    if item is None:
        raise EvaluationNotFound(f"Ticket {ticket.number} has no evaluation.")
    return item


async def ticket_of(session: AsyncSession, case: Rectification) -> Ticket:
    """The ticket whose bad review opened ``case`` (its holder alone re-rates it)."""
    ticket = await session.scalar(select(Ticket).join(Evaluation, Evaluation.ticket_id == Ticket.id)
                                  .where(Evaluation.id == case.evaluation_id))
    assert ticket is not None  # an evaluation always belongs to a ticket (foreign key)
    return ticket


async def case_of(session: AsyncSession, evaluation_id: int) -> Rectification | None:
    """The rectification case an evaluation opened, if it was a bad review."""
    return await session.scalar(select(Rectification).where(Rectification.evaluation_id == evaluation_id))


async def list_cases(session: AsyncSession, *, halls: list[str] | None, state: str | None,
                     page: PageParams) -> tuple[list[Rectification], str | None]:
    """A page of rectification cases, newest first (by opening time, then id), of some halls (None: every hall)."""
    statement = select(Rectification)
    if halls is not None:
        statement = statement.where(Rectification.hall_code.in_(halls))
    if state is not None:
        statement = statement.where(Rectification.state == state)
    return await paginate(session, statement, page, keys=[Rectification.opened_at, Rectification.id], descending=True)


def overdue(case: Rectification, now: datetime) -> bool:
    """Whether a case missed its contact or fix deadline."""
    today = local_date(now)
    if case.state == "open" and today > case.contact_due:
        return True
    return case.state in ("open", "contacted") and today > case.fix_due


def provisional_reason(case: Rectification, calendar: WorkCalendar) -> str | None:
    """Why a running case's deadlines may still move (a year they reach has no notice loaded), or None."""
    if case.state not in RUNNING:
        return None
    return calendar.provisional_reason(local_date(case.opened_at), max(case.contact_due, case.fix_due))


async def rebase_deadlines(session: AsyncSession, *, before: WorkCalendar, after: WorkCalendar, first: date,
                           last: date) -> None:
    """Count again, under ``after``, the deadlines of the running cases that the days ``first``…``last`` touch.

    Each deadline keeps its number of working days from the review, read off ``before`` (the calendar it
    was counted under); only where the calendar changed between the review and the deadline can it move.
    """
    opened_by = datetime.combine(last + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    cases = (await session.scalars(select(Rectification).where(
        Rectification.state.in_(RUNNING), Rectification.opened_at < opened_by,
        or_(Rectification.contact_due >= first, Rectification.fix_due >= first)).with_for_update())).all()
    for case in cases:
        day = local_date(case.opened_at)
        case.contact_due = after.add_workdays(day, before.workdays_between(day, case.contact_due))
        case.fix_due = after.add_workdays(day, before.workdays_between(day, case.fix_due))
    await session.flush()


def _need(case: Rectification, states: tuple[str, ...], action: str) -> None:
    if case.state not in states:
        raise RectificationStepForbidden(f"The case is {case.state}; cannot {action}.")


def act(case: Rectification, *, action: str, note: str, level: int | None, now: datetime) -> Rectification:
    """Move a case one step along the rectification flow."""
    if action == "contact":
        _need(case, ("open",), "record the contact")
        case.state, case.contacted_at, case.contact_note = "contacted", now, note
    elif action == "fix":
        _need(case, ("contacted",), "record the fix")
        if not note:
            raise Unprocessable.field("note", "say what was fixed")
        case.state, case.fixed_at, case.fix_note = "fixed", now, note
    elif action == "re_rate":
        _need(case, ("fixed",), "record the re-rating")
        if level is None:
            raise Unprocessable.field("level", "the citizen's re-rating (1-5) is required")
        case.state, case.re_rated_level, case.closed_at = "closed", level, now
    elif action == "appeal":
        _need(case, ("open", "contacted"), "appeal")
        if not note:
            raise Unprocessable.field("note", "give the reason of the appeal")
        case.appeal_from_state, case.state, case.appeal_reason = case.state, "appealed", note
    elif action == "appeal_upheld":
        _need(case, ("appealed",), "decide an appeal")
        case.state, case.closed_at = "voided", now
    else:
        _need(case, ("appealed",), "decide an appeal")
        case.state = case.appeal_from_state or "open"
    return case
