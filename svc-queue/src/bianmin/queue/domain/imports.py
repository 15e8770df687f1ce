"""Importing finished tickets from a hall's previous queue system (叫号系统迁移), for history and figures.

An imported ticket is a past fact: it must have finished before now, its times must be in order
(issued ≤ called ≤ started ≤ completed), and it takes the next number of its line on its own day
(so numbers stay unique). No events are published for imported tickets: they are history, not
activity, and consumers have already missed the moment. An evaluation may come with a done ticket;
its rectification, if any, was handled in the previous system and is not reopened here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.kit.errors import Unprocessable
from bianmin.kit.workdays import local_date
from bianmin.queue.domain.errors import LineFull
from bianmin.queue.domain.tickets import next_number
from bianmin.queue.models import Counter, Evaluation, Hall, Line, Ticket

MAX_NUMBER = 999


@dataclass(frozen=True)
class PastTicket:
    """One finished ticket of the previous system."""

    line: str
    counter_number: int
    state: str
    issued_at: datetime
    called_at: datetime
    started_at: datetime | None
    completed_at: datetime
    level: int | None = None


def _check(index: int, record: PastTicket, lines: dict[str, Line], counters: dict[int, Counter], now: datetime) -> None:
    field = f"tickets.{index}"
    if record.line not in lines:
        raise Unprocessable.field(f"{field}.line", "the hall has no such line")
    if record.counter_number not in counters:
        raise Unprocessable.field(f"{field}.counter_number", "the hall has no such counter")
    started = record.started_at or record.called_at
    if not (record.issued_at <= record.called_at <= started <= record.completed_at <= now):
        raise Unprocessable.field(field, "times must be in order and in the past")
    if record.state == "no_show" and (record.started_at is not None or record.level is not None):
        raise Unprocessable.field(field, "a no-show ticket was neither served nor evaluated")


async def import_tickets(session: AsyncSession, *, hall: Hall, records: list[PastTicket], now: datetime) -> int:
    """Store finished tickets of the past, numbered in issue order per line and day; the number stored."""
    lines = {line.prefix: line for line in (await session.scalars(select(Line).where(Line.hall_code == hall.code))).all()}
    counters = {c.number: c for c in (await session.scalars(select(Counter).where(Counter.hall_code == hall.code))).all()}
    groups: dict[tuple[str, date], list[PastTicket]] = defaultdict(list)
    for index, record in enumerate(records):
        _check(index, record, lines, counters, now)
        groups[(record.line, local_date(record.issued_at))].append(record)
    tickets: list[tuple[Ticket, PastTicket]] = []
    for (prefix, day), group in sorted(groups.items()):
        line = lines[prefix]
        last = await next_number(session, line, day, len(group))
        if last > MAX_NUMBER:
            raise LineFull(f"Line {prefix} has no numbers left on {day.isoformat()}.")
        for seq, record in enumerate(sorted(group, key=lambda r: r.issued_at), start=last - len(group) + 1):
            started = record.started_at or record.called_at
            ticket = Ticket(
                hall_code=hall.code, line_id=line.id, original_line_id=line.id, service_date=day, seq=seq,
                number=f"{prefix}{seq:03d}", kind="walk_in", state=record.state, issued_at=record.issued_at,
                queued_at=record.issued_at, first_called_at=record.called_at, called_at=record.called_at,
                started_at=record.started_at, completed_at=record.completed_at,
                counter_id=counters[record.counter_number].id,
                service_seconds=int((record.completed_at - started).total_seconds()) if record.state == "done" else 0,
                recall_count=0, transfer_count=0, call_reason="imported", late_arrival=False,
                elderly=False, disabled=False, green_channel=False,
            )
            tickets.append((ticket, record))
    session.add_all([t for t, _ in tickets])
    await session.flush()
    session.add_all([Evaluation(ticket_id=t.id, hall_code=hall.code, line_id=t.line_id, counter_id=t.counter_id,
                                level=r.level, comment="", created_at=r.completed_at)
                     for t, r in tickets if r.level is not None])
    await session.flush()
    return len(tickets)
