"""Calling and serving: call-next, recall, no-show, start, complete, hold, resume, transfer.

Concurrency: the caller's counter row is locked first (one call at a time per counter). The
waiting tickets are ranked by :mod:`bianmin.queue.domain.ordering`; then each ranked ticket in
turn is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` re-checking that it still waits, so
several counters (and several service replicas) calling at once on PostgreSQL never claim the
same ticket: one that another transaction holds is skipped, one it already called fails the
re-check. On SQLite every transaction begins with ``BEGIN IMMEDIATE`` and writers are serialised.

Every call and recall appends to the hall's call log with the next ``hall.call_seq`` (an
increment that holds the hall row until commit, so announcements of a hall are serialised and
numbered without gaps). Transfers keep the ticket's original queue time, and a ticket transferred
"with return" comes back to its first line and counter when the second service completes; the
``queue.ticket.completed`` event fires only when the ticket leaves the hall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.queue import TicketCalled, TicketCompleted, TicketNoShow
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.identifiers import mask_name
from bianmin.kit.workdays import local_date
from bianmin.queue.domain import ordering
from bianmin.queue.domain.errors import CounterBusy, CounterNotOpen, RecallsExhausted, RecallsRemaining, TicketStepForbidden
from bianmin.queue.domain.halls import get_counter, lines_of
from bianmin.queue.models import CallLog, Counter, CounterLine, Hall, Line, Ticket

ACTIVE = ("called", "serving")


@dataclass(frozen=True)
class Called:
    """The ticket a counter called, why, and the score details of the pick."""

    ticket: Ticket
    reason: str
    score: dict[str, Any]
    log: CallLog


def announcement(number: str, counter_number: int) -> str:
    """The text boards show and voices read: 请A023号到5号窗口办理."""
    return f"请{number}号到{counter_number}号窗口办理"


async def _line(session: AsyncSession, line_id: int) -> Line:
    line = await session.get(Line, line_id)
    assert line is not None
    return line


async def log_call(session: AsyncSession, *, ticket: Ticket, counter: Counter, kind: str, reason: str,
                   now: datetime) -> CallLog:
    """Append an announcement to the hall's call log under the hall's next sequence number."""
    seq = (await session.execute(update(Hall).where(Hall.code == ticket.hall_code)
                                 .values(call_seq=Hall.call_seq + 1).returning(Hall.call_seq))).scalar_one()
    entry = CallLog(hall_code=ticket.hall_code, seq=seq, ticket_id=ticket.id, number=ticket.number,
                    counter_id=counter.id, counter_number=counter.number,
                    masked_name=mask_name(ticket.name) if ticket.name else None, kind=kind, reason=reason,
                    text=announcement(ticket.number, counter.number), called_at=now)
    session.add(entry)
    await session.flush()
    return entry


async def _emit_called(session: AsyncSession, ticket: Ticket, counter: Counter, reason: str, entry: CallLog,
                       now: datetime, tenant: str) -> None:
    line = await _line(session, ticket.line_id)
    wait = int(((ticket.first_called_at or now) - ticket.issued_at).total_seconds())
    await emit(session, "queue.ticket.called", TicketCalled(
        ticket_id=ticket.id, number=ticket.number, hall_code=ticket.hall_code, line_prefix=line.prefix,
        counter_id=counter.id, counter_number=counter.number, reason=reason, recall_count=ticket.recall_count,
        wait_seconds=max(0, wait), announcement=entry.text, called_at=now,
    ), tenant=tenant, about=f"{ticket.hall_code}/{ticket.service_date.isoformat()}/{ticket.number}")


async def current_ticket(session: AsyncSession, counter_id: int, today: date) -> Ticket | None:
    """The ticket a counter has called or is serving today, if any (a ticket left open on a past day is stale)."""
    return await session.scalar(select(Ticket).where(Ticket.counter_id == counter_id, Ticket.state.in_(ACTIVE),
                                                     Ticket.service_date == today)
                                .order_by(Ticket.called_at.desc()).limit(1))


async def call_next(session: AsyncSession, *, counter_id: int, hall: Hall, now: datetime,
                    rules: ordering.Rules) -> Called | None:
    """Call the ticket this counter should serve next, or None when nobody it serves is waiting."""
    counter = await get_counter(session, counter_id, lock=True)
    if counter.state != "open":
        raise CounterNotOpen(f"Counter {counter.number} is {counter.state}; open it to call.")
    busy = await current_ticket(session, counter.id, local_date(now))
    if busy is not None:
        raise CounterBusy(f"Counter {counter.number} still has {busy.number} ({busy.state}); finish it first.")
    weights = {line.id: weight for line, weight in (await lines_of(session, [counter.id]))[counter.id] if line.active}
    # Only the columns the ranking reads: a busy hall has thousands waiting, and full ORM objects
    # for each of them on every call dominated the cost of calling.
    rows = (await session.execute(select(
        Ticket.id, Ticket.line_id, Ticket.queued_at, Ticket.due_at, Ticket.elderly, Ticket.disabled,
        Ticket.green_channel, Ticket.target_counter_id,
    ).where(Ticket.hall_code == counter.hall_code, Ticket.state == "waiting", Ticket.service_date == local_date(now),
            Ticket.line_id.in_(list(weights))))).all()
    open_here = set((await session.scalars(select(Counter.id).where(Counter.hall_code == counter.hall_code,
                                                                    Counter.state == "open"))).all())
    # A ticket sent to a counter that has since paused or closed is open to every counter of its line.
    candidates = [ordering.Candidate(
        ticket_id=t.id, line_id=t.line_id, queued_at=t.queued_at, due_at=t.due_at, elderly=t.elderly,
        disabled=t.disabled, green_channel=t.green_channel,
        target_counter_id=t.target_counter_id if t.target_counter_id in open_here else None) for t in rows]
    for pick in ordering.rank(candidates, weights=weights, counter_id=counter.id, now=now, rules=rules):
        ticket = await session.scalar(
            select(Ticket).where(Ticket.id == pick.candidate.ticket_id, Ticket.state == "waiting")
            .with_for_update(skip_locked=True).execution_options(populate_existing=True))
        if ticket is None:
            continue
        ticket.state = "called"
        ticket.counter_id = counter.id
        ticket.target_counter_id = None
        ticket.called_at = now
        ticket.first_called_at = ticket.first_called_at or now
        ticket.recall_count = 0
        ticket.call_reason = pick.reason
        await session.flush()
        entry = await log_call(session, ticket=ticket, counter=counter, kind="call", reason=pick.reason, now=now)
        await _emit_called(session, ticket, counter, pick.reason, entry, now, hall.tenant)
        return Called(ticket, pick.reason, ordering.explain(pick), entry)
    return None


async def expire_stale(session: AsyncSession, today: date) -> int:
    """Close the tickets of past days that never finished (numbers are valid on their day only); how many."""
    result = await session.execute(update(Ticket).where(Ticket.service_date < today,
                                                        Ticket.state.in_(("waiting", "called", "serving", "held")))
                                   .values(state="expired"))
    return int(result.rowcount or 0)


def _require(ticket: Ticket, states: tuple[str, ...], action: str) -> None:
    if ticket.state not in states:
        raise TicketStepForbidden(f"Ticket {ticket.number} is {ticket.state}; cannot {action}.")


async def recall(session: AsyncSession, *, ticket: Ticket, hall: Hall, now: datetime, max_recalls: int) -> CallLog:
    """Call a called ticket again; 409 once the allowed recalls are used (mark it no-show instead)."""
    _require(ticket, ("called",), "recall")
    if ticket.recall_count >= max_recalls:
        raise RecallsExhausted(f"Ticket {ticket.number} was recalled {ticket.recall_count} times; mark it no-show.")
    assert ticket.counter_id is not None
    counter = await get_counter(session, ticket.counter_id)
    ticket.recall_count += 1
    ticket.called_at = now
    entry = await log_call(session, ticket=ticket, counter=counter, kind="recall", reason="recall", now=now)
    await _emit_called(session, ticket, counter, "recall", entry, now, hall.tenant)
    return entry


async def no_show(session: AsyncSession, *, ticket: Ticket, hall: Hall, now: datetime, max_recalls: int) -> Ticket:
    """Mark a called ticket as not come (过号) after the allowed recalls."""
    _require(ticket, ("called",), "mark no-show")
    if ticket.recall_count < max_recalls:
        raise RecallsRemaining(f"Ticket {ticket.number} has {max_recalls - ticket.recall_count} recalls left.")
    ticket.state = "no_show"
    ticket.completed_at = now
    await session.flush()
    line = await _line(session, ticket.line_id)
    await emit(session, "queue.ticket.no_show", TicketNoShow(
        ticket_id=ticket.id, number=ticket.number, hall_code=ticket.hall_code, line_prefix=line.prefix,
        counter_id=ticket.counter_id, recall_count=ticket.recall_count, at=now,
    ), tenant=hall.tenant, about=f"{ticket.hall_code}/{ticket.service_date.isoformat()}/{ticket.number}")
    return ticket


async def start(session: AsyncSession, *, ticket: Ticket, now: datetime) -> Ticket:
    """The citizen arrived at the counter: service begins."""
    _require(ticket, ("called",), "start service")
    ticket.state = "serving"
    ticket.started_at = now
    await session.flush()
    return ticket


def _close_segment(ticket: Ticket, now: datetime) -> None:
    if ticket.state == "serving" and ticket.started_at is not None:
        ticket.service_seconds += max(0, int((now - ticket.started_at).total_seconds()))
        ticket.started_at = None


async def complete(session: AsyncSession, *, ticket: Ticket, hall: Hall, now: datetime) -> Ticket:
    """Service done: record its duration; a ticket transferred with return goes back to its first line."""
    _require(ticket, ("serving",), "complete")
    _close_segment(ticket, now)
    if ticket.return_line_id is not None:
        ticket.state = "waiting"
        ticket.line_id = ticket.return_line_id
        ticket.target_counter_id = ticket.return_counter_id
        ticket.return_line_id = None
        ticket.return_counter_id = None
        await session.flush()
        return ticket
    ticket.state = "done"
    ticket.completed_at = now
    await session.flush()
    line = await _line(session, ticket.line_id)
    assert ticket.counter_id is not None
    await emit(session, "queue.ticket.completed", TicketCompleted(
        ticket_id=ticket.id, number=ticket.number, hall_code=ticket.hall_code, line_prefix=line.prefix,
        counter_id=ticket.counter_id, item_code=ticket.item_code,
        wait_seconds=max(0, int(((ticket.first_called_at or now) - ticket.issued_at).total_seconds())),
        service_seconds=ticket.service_seconds, completed_at=now,
    ), tenant=hall.tenant, about=f"{ticket.hall_code}/{ticket.service_date.isoformat()}/{ticket.number}")
    return ticket


async def hold(session: AsyncSession, *, ticket: Ticket, now: datetime) -> Ticket:
    """Set a called or served ticket aside (挂起), e.g. while the citizen fetches a missing material."""
    _require(ticket, ACTIVE, "hold")
    _close_segment(ticket, now)
    ticket.state = "held"
    await session.flush()
    return ticket


async def resume(session: AsyncSession, *, ticket: Ticket) -> Ticket:
    """Put a held ticket back in line for the counter that held it."""
    _require(ticket, ("held",), "resume")
    ticket.state = "waiting"
    ticket.target_counter_id = ticket.counter_id
    await session.flush()
    return ticket


async def transfer(session: AsyncSession, *, ticket: Ticket, line: Line | None, counter: Counter | None,
                   return_after: bool, now: datetime) -> Ticket:
    """Send a called or served ticket to another line and/or counter of its hall, optionally to return."""
    _require(ticket, ACTIVE, "transfer")
    target_line = line or await _line(session, ticket.line_id)
    if target_line.hall_code != ticket.hall_code:
        raise Unprocessable.field("line", "must be a line of the ticket's hall")
    if counter is not None:
        if counter.hall_code != ticket.hall_code:
            raise Unprocessable.field("counter_id", "must be a counter of the ticket's hall")
        if counter.id == ticket.counter_id and line is None:
            raise Unprocessable.field("counter_id", "is the counter the ticket is at")
        serves = await select_weight(session, counter.id, target_line.id)
        if serves is None:
            raise Unprocessable.field("counter_id", f"counter {counter.number} does not serve line {target_line.prefix}")
    elif line is None:
        raise Unprocessable.field("line", "name a line or a counter to transfer to")
    if return_after:
        ticket.return_line_id = ticket.line_id
        ticket.return_counter_id = ticket.counter_id
    _close_segment(ticket, now)
    ticket.state = "waiting"
    ticket.line_id = target_line.id
    ticket.target_counter_id = counter.id if counter is not None else None
    ticket.transfer_count += 1
    await session.flush()
    return ticket


async def select_weight(session: AsyncSession, counter_id: int, line_id: int) -> int | None:
    """The weight with which a counter serves a line, or None when it does not."""
    return await session.scalar(select(CounterLine.weight).where(CounterLine.counter_id == counter_id,
                                                                 CounterLine.line_id == line_id))
