"""Building the API's answers from rows: personal data masked, lines named by their prefix letter.

What an answer needs beyond its own row (the prefixes of its lines, its slot, a line's items, a
counter's lines) is loaded through the domain in one query per list, never one per row; the pure
builders below then only reshape.
"""

from __future__ import annotations

from datetime import datetime

from bianmin.kit.identifiers import mask_name, mask_resident_id
from bianmin.kit.workdays import WorkCalendar
from bianmin.queue.api.deps import AnySession
from bianmin.queue.domain import booking, evaluation, halls, tickets
from bianmin.queue.domain.flow import Board
from bianmin.queue.models import Appointment, CallLog, CatalogItem, Counter, Evaluation, Line, Rectification, Slot, Ticket
from bianmin.queue.schemas import (
    AppointmentRead,
    BoardCounter,
    BoardRead,
    CallRead,
    CounterLineRead,
    CounterRead,
    CurrentCall,
    EvaluationRead,
    LineItemRead,
    LineRead,
    RectificationRead,
    SlotRead,
    TicketRead,
)


def ticket_view(ticket: Ticket, prefix_of: dict[int, str], *, people_ahead: int | None = None,
                estimated_wait_minutes: int | None = None, unmasked: bool = False) -> TicketRead:
    """A ticket as the API shows it, masked unless ``unmasked`` (the caller logged the read, 个人信息保护法 §51)."""
    priorities = [p for p, on in (("elderly", ticket.elderly), ("disabled", ticket.disabled),
                                  ("green_channel", ticket.green_channel)) if on]
    return TicketRead(
        id=ticket.id, number=ticket.number, hall_code=ticket.hall_code, line=prefix_of[ticket.line_id],
        original_line=prefix_of[ticket.original_line_id], service_date=ticket.service_date, kind=ticket.kind,
        state=ticket.state, name=ticket.name if unmasked or not ticket.name else mask_name(ticket.name),
        id_number=ticket.id_number if unmasked or not ticket.id_number else mask_resident_id(ticket.id_number),
        item_code=ticket.item_code,
        priorities=priorities, late_arrival=ticket.late_arrival, due_at=ticket.due_at, issued_at=ticket.issued_at,
        first_called_at=ticket.first_called_at, called_at=ticket.called_at, completed_at=ticket.completed_at,
        counter_id=ticket.counter_id, target_counter_id=ticket.target_counter_id, recall_count=ticket.recall_count,
        transfer_count=ticket.transfer_count, service_seconds=ticket.service_seconds, call_reason=ticket.call_reason,
        people_ahead=people_ahead, estimated_wait_minutes=estimated_wait_minutes,
    )


async def ticket_read(session: AnySession, ticket: Ticket, *, people_ahead: int | None = None,
                      estimated_wait_minutes: int | None = None, unmasked: bool = False) -> TicketRead:
    """A ticket view, loading the prefixes of its lines."""
    return ticket_view(ticket, await tickets.line_prefixes(session, [ticket]), people_ahead=people_ahead,
                       estimated_wait_minutes=estimated_wait_minutes, unmasked=unmasked)


def slot_view(slot: Slot, prefix: str) -> SlotRead:
    """A slot with its remaining places."""
    return SlotRead(id=slot.id, hall_code=slot.hall_code, line=prefix, day=slot.day, start_at=slot.start_at,
                    end_at=slot.end_at, capacity=slot.capacity, booked=slot.booked,
                    available=max(0, slot.capacity - slot.booked))


def appointment_view(appointment: Appointment, slot: Slot, prefix: str) -> AppointmentRead:
    """An appointment with its slot and line, personal data masked."""
    return AppointmentRead(code=appointment.code, hall_code=appointment.hall_code, line=prefix,
                           slot_id=slot.id, day=slot.day, start_at=slot.start_at, end_at=slot.end_at,
                           name=mask_name(appointment.name), id_number=mask_resident_id(appointment.id_number),
                           state=appointment.state, created_at=appointment.created_at,
                           ticket_id=appointment.ticket_id)


async def appointment_read(session: AnySession, appointment: Appointment) -> AppointmentRead:
    """An appointment view, loading its slot and the prefix of its line."""
    slot = await booking.get_slot(session, appointment.slot_id)
    names = await halls.prefixes(session, [appointment.line_id])
    return appointment_view(appointment, slot, names[appointment.line_id])


def evaluation_view(item: Evaluation, case: Rectification | None) -> EvaluationRead:
    """An evaluation with its level named."""
    return EvaluationRead(id=item.id, ticket_id=item.ticket_id, hall_code=item.hall_code, level=item.level,
                          level_name=evaluation.LEVELS[item.level], bad_review=item.level <= evaluation.BAD,
                          comment=item.comment, created_at=item.created_at,
                          rectification_id=case.id if case else None)


def case_view(case: Rectification, now: datetime, calendar: WorkCalendar) -> RectificationRead:
    """A rectification case with its overdue flag as of ``now``, and whether ``calendar`` leaves its deadlines provisional."""
    view = RectificationRead.model_validate(case)
    view.overdue = evaluation.overdue(case, now)
    view.provisional_reason = evaluation.provisional_reason(case, calendar)
    view.deadline_provisional = view.provisional_reason is not None
    return view


def line_view(line: Line, items: list[tuple[str, CatalogItem | None]]) -> LineRead:
    """A line with the items it serves, named from the catalog read model where it knows them."""
    return LineRead(id=line.id, hall_code=line.hall_code, prefix=line.prefix, name=line.name,
                    daily_cap=line.daily_cap, active=line.active,
                    items=[LineItemRead(code=code, name=item.name if item else None,
                                        status=item.status if item else None, known=item is not None)
                           for code, item in items])


async def line_views(session: AnySession, lines: list[Line]) -> list[LineRead]:
    """Lines with their items, loaded in one query."""
    items = await halls.items_of(session, [line.id for line in lines])
    return [line_view(line, items[line.id]) for line in lines]


def counter_view(counter: Counter, served: list[tuple[Line, int]]) -> CounterRead:
    """A counter with the lines it serves and their weights."""
    return CounterRead(id=counter.id, hall_code=counter.hall_code, number=counter.number, name=counter.name,
                       state=counter.state, staff_name=counter.staff_name,
                       lines=[CounterLineRead(line=line.prefix, weight=weight) for line, weight in served])


async def counter_views(session: AnySession, counters: list[Counter]) -> list[CounterRead]:
    """Counters with the lines they serve, loaded in one query."""
    served = await halls.lines_of(session, [c.id for c in counters])
    return [counter_view(c, served[c.id]) for c in counters]


def call_view(entry: CallLog) -> CallRead:
    """One call-log entry as boards and streams show it (the name was masked when the call was logged)."""
    return CallRead(seq=entry.seq, hall_code=entry.hall_code, number=entry.number, counter_number=entry.counter_number,
                    name=entry.masked_name, kind=entry.kind, reason=entry.reason, text=entry.text,
                    called_at=entry.called_at.isoformat())


def current_call(ticket: Ticket) -> CurrentCall:
    """The ticket a counter has called or is serving, name masked."""
    return CurrentCall(number=ticket.number, state=ticket.state, name=mask_name(ticket.name) if ticket.name else None,
                       called_at=ticket.called_at)


def board_view(board: Board) -> BoardRead:
    """What a display board shows: each counter's current call and the last calls, names masked."""
    return BoardRead(
        hall_code=board.hall.code, hall_name=board.hall.name, last_seq=board.hall.call_seq,
        counters=[BoardCounter(counter_id=c.id, number=c.number, name=c.name, state=c.state,
                               current=current_call(board.current[c.id]) if c.id in board.current else None)
                  for c in board.counters],
        last_calls=[call_view(entry) for entry in board.calls],
    )
