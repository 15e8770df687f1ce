"""Tickets and calling: take a number, call-next, recall, no-show, start, complete, hold, transfer.

A citizen (or a kiosk's key) takes a ticket and follows their own; only a clerk or hall manager of
the ticket's hall calls and serves it (issue 19). The counter's current ticket answers with the
citizen's name and ID number unmasked, for the clerk to identify them, and each such answer is
logged (个人信息保护法 §51, :func:`bianmin.kit.access_log.record_access`); every other answer masks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from bianmin.kit import subjects
from bianmin.kit.access_log import record_access
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import Principal, PrincipalDep, require_scopes
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.paths import RowId
from bianmin.kit.policy import app, citizen, policy, staff
from bianmin.queue.api.deps import (
    HALL_STAFF,
    HOLDING,
    SERVING,
    NotifierDep,
    SettingsDep,
    call_rules,
    ensure_holder,
    hall_for,
    holder_of,
)
from bianmin.queue.api.views import ticket_read, ticket_view
from bianmin.queue.domain import calling, halls, tickets
from bianmin.queue.domain.errors import CounterNotFound
from bianmin.queue.models import Hall, Ticket
from bianmin.queue.schemas import CallNextRead, TicketCreate, TicketRead, TransferIn

router = APIRouter(tags=["tickets"])
# Serving a ticket (call, start, complete, transfer...) needs ``queue:serve``, which a counter
# terminal's key or a clerk's sign-in holds and a kiosk or citizen app (``queue:write``) does not:
# issue 19 found a citizen app calling, starting and completing tickets.
WRITE = [require_scopes("queue:serve"), SERVING]
READ = [require_scopes("queue:read"), SERVING]
TicketState = Literal["waiting", "called", "serving", "held", "done", "no_show", "expired"]


@dataclass
class TicketInHand:
    """A ticket locked for a counter's action, with its hall (which the caller may act on)."""

    ticket: Ticket
    hall: Hall


async def ticket_in_hand(ticket_id: RowId, session: SessionDep, who: PrincipalDep) -> TicketInHand:
    """Lock the ticket first, so two counters acting on it at once are serialised, then check its hall."""
    ticket = await tickets.get_ticket(session, ticket_id, lock=True)
    return TicketInHand(ticket, await hall_for(session, who, ticket.hall_code))


InHandDep = Annotated[TicketInHand, Depends(ticket_in_hand)]


async def counter_read(session: SessionDep, who: Principal, ticket: Ticket, hall: Hall, *, action: str,
                       now: datetime) -> TicketRead:
    """The ticket at a counter: unmasked for the hall's clerk, who identifies the citizen, and logged; masked for a key.

    个人信息保护法 §51 and GB/T 35273 §7.4: staff see personal data their task needs, and each such read is
    recorded in the read's own transaction.
    """
    shown = [f for f, value in (("name", ticket.name), ("id_number", ticket.id_number)) if value]
    if not who.is_a(subjects.STAFF) or not shown:
        return await ticket_read(session, ticket)
    await record_access(session, who, at=now, action=action, resource=f"ticket/{ticket.id}", fields=shown,
                        purpose="identify the citizen at the counter", site=hall.code)
    return await ticket_read(session, ticket, unmasked=True)


async def committed(session: SessionDep, ticket: Ticket) -> TicketRead:
    """The ticket as the action left it, read before the commit expires its attributes."""
    view = await ticket_read(session, ticket)
    await session.commit()
    return view


@router.post("/tickets", status_code=201, summary="Take a ticket",
             dependencies=[require_scopes("queue:write"), HOLDING],
             responses=problem_responses(401, 403, 404, 409, 422))
async def take_ticket(body: TicketCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                      clock: ClockDep, settings: SettingsDep) -> TicketRead:
    """Issue the next number of a business line in a hall, with the people ahead and the estimated wait."""
    await halls.check_hall_code(session, body.hall_code, field="hall_code")
    hall = await hall_for(session, who, body.hall_code)
    line = await halls.get_line(session, hall.code, body.line)
    person = tickets.Person(name=body.name, id_number=body.id_number, phone=body.phone, disabled=body.disabled,
                            green_channel=body.green_channel, holder=holder_of(who))
    issued = await tickets.issue(session, hall=hall, line=line, person=person, item_code=body.item_code,
                                 now=clock.now(), default_service_minutes=settings.default_service_minutes)
    # A new ticket's line is both its line and its original one: no need to look the prefix up.
    view = ticket_view(issued.ticket, {line.id: line.prefix}, people_ahead=issued.people_ahead,
                       estimated_wait_minutes=issued.estimated_wait_minutes)
    return await idem.finish(session, view)


@router.get("/tickets", summary="List tickets", dependencies=READ, responses=problem_responses(401, 403, 404, 422))
async def list_tickets(session: ReadSessionDep, who: PrincipalDep, page: PageDep,
                       hall: Annotated[str, Query(description="Hall code.")],
                       day: Annotated[date | None, Query(alias="date", description="Service date.")] = None,
                       state: TicketState | None = None) -> Page[TicketRead]:
    """The tickets of a hall, newest first, optionally of one day and state."""
    await hall_for(session, who, hall)
    rows, cursor = await tickets.list_tickets(session, hall_code=hall, day=day, state=state, page=page)
    names = await tickets.line_prefixes(session, rows)
    return Page[TicketRead](items=[ticket_view(t, names) for t in rows], next_cursor=cursor)


@router.get("/tickets/{ticket_id}", summary="Read a ticket",
            dependencies=[require_scopes("queue:read"), policy(citizen(), staff(*HALL_STAFF), app())],
            responses=problem_responses(401, 403, 404))
async def read_ticket(ticket_id: RowId, session: ReadSessionDep, who: PrincipalDep, settings: SettingsDep) -> TicketRead:
    """A ticket; while it waits, with the people ahead and the estimated wait (a citizen reads their own only)."""
    ticket = await tickets.get_ticket(session, ticket_id)
    await hall_for(session, who, ticket.hall_code)
    if who.is_a(subjects.CITIZEN):
        ensure_holder(who, ticket.holder)
    if ticket.state != "waiting":
        return await ticket_read(session, ticket)
    ahead = await tickets.waiting_ahead(session, ticket.line_id, ticket.queued_at, exclude=ticket.id)
    minutes = await tickets.estimate(session, ticket.line_id, ahead, settings.default_service_minutes)
    return await ticket_read(session, ticket, people_ahead=ahead, estimated_wait_minutes=minutes)


@router.post("/counters/{counter_id}/call-next", summary="Call the next ticket", dependencies=WRITE,
             responses=problem_responses(401, 403, 404, 409))
async def call_next(counter_id: RowId, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                    settings: SettingsDep, notifier: NotifierDep) -> CallNextRead:
    """Call the ticket this counter serves next, and say why it was picked (ticket null: nobody waits)."""
    counter = await halls.get_counter(session, counter_id)
    hall = await hall_for(session, who, counter.hall_code)
    called = await calling.call_next(session, counter_id=counter.id, hall=hall, now=clock.now(),
                                     rules=call_rules(settings))
    if called is None:
        await session.commit()
        return CallNextRead(ticket=None, reason="no_waiting_ticket")
    view = await counter_read(session, who, called.ticket, hall, action="call-next", now=clock.now())
    await session.commit()
    notifier.notify(hall.code)
    return CallNextRead(ticket=view, reason=called.reason, score=called.score, announcement=called.log.text,
                        call_seq=called.log.seq)


@router.post("/tickets/{ticket_id}/recall", summary="Recall a ticket", dependencies=WRITE,
             responses=problem_responses(401, 403, 404, 409))
async def recall(held: InHandDep, session: SessionDep, who: PrincipalDep, clock: ClockDep, settings: SettingsDep,
                 notifier: NotifierDep) -> CallNextRead:
    """Announce a called ticket again (up to the configured number of recalls)."""
    entry = await calling.recall(session, ticket=held.ticket, hall=held.hall, now=clock.now(),
                                 max_recalls=settings.max_recalls)
    recalls = held.ticket.recall_count
    view = await counter_read(session, who, held.ticket, held.hall, action="recall", now=clock.now())
    await session.commit()
    notifier.notify(held.hall.code)
    return CallNextRead(ticket=view, reason="recall", score={"recall_count": recalls, "max_recalls": settings.max_recalls},
                        announcement=entry.text, call_seq=entry.seq)


@router.post("/tickets/{ticket_id}/no-show", summary="Mark a ticket no-show", dependencies=WRITE,
             responses=problem_responses(401, 403, 404, 409))
async def no_show(held: InHandDep, session: SessionDep, clock: ClockDep, settings: SettingsDep) -> TicketRead:
    """The citizen did not come after the allowed recalls (过号)."""
    await calling.no_show(session, ticket=held.ticket, hall=held.hall, now=clock.now(), max_recalls=settings.max_recalls)
    return await committed(session, held.ticket)


@router.post("/tickets/{ticket_id}/start", summary="Start serving", dependencies=WRITE,
             responses=problem_responses(401, 403, 404, 409))
async def start(held: InHandDep, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> TicketRead:
    """The citizen is at the counter: the service clock starts (the clerk sees who it is, unmasked and logged)."""
    await calling.start(session, ticket=held.ticket, now=clock.now())
    view = await counter_read(session, who, held.ticket, held.hall, action="start", now=clock.now())
    await session.commit()
    return view


@router.post("/tickets/{ticket_id}/complete", summary="Complete the service", dependencies=WRITE,
             responses=problem_responses(401, 403, 404, 409))
async def complete(held: InHandDep, session: SessionDep, clock: ClockDep) -> TicketRead:
    """Service done; its duration is recorded (a ticket transferred with return goes back in line)."""
    await calling.complete(session, ticket=held.ticket, hall=held.hall, now=clock.now())
    return await committed(session, held.ticket)


@router.post("/tickets/{ticket_id}/hold", summary="Hold a ticket", dependencies=WRITE,
             responses=problem_responses(401, 403, 404, 409))
async def hold(held: InHandDep, session: SessionDep, clock: ClockDep) -> TicketRead:
    """Set a called or served ticket aside (挂起) while the citizen fetches something."""
    await calling.hold(session, ticket=held.ticket, now=clock.now())
    return await committed(session, held.ticket)


@router.post("/tickets/{ticket_id}/resume", summary="Resume a held ticket", dependencies=WRITE,
             responses=problem_responses(401, 403, 404, 409))
async def resume(held: InHandDep, session: SessionDep) -> TicketRead:
    """Put a held ticket back in line for the counter that held it."""
    await calling.resume(session, ticket=held.ticket)
    return await committed(session, held.ticket)


@router.post("/tickets/{ticket_id}/transfer", summary="Transfer a ticket", dependencies=WRITE,
             responses=problem_responses(401, 403, 404, 409, 422))
async def transfer(held: InHandDep, body: TransferIn, session: SessionDep, clock: ClockDep) -> TicketRead:
    """Send a ticket to another line or counter of its hall, optionally returning afterwards."""
    line = await halls.get_line(session, held.hall.code, body.line) if body.line else None
    counter = None
    if body.counter_id is not None:
        try:
            counter = await halls.get_counter(session, body.counter_id)
        except CounterNotFound as exc:
            raise Unprocessable.field("counter_id", "no such counter") from exc
    await calling.transfer(session, ticket=held.ticket, line=line, counter=counter, return_after=body.return_after,
                           now=clock.now())
    return await committed(session, held.ticket)
