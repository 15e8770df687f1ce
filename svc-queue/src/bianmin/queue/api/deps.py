"""Dependencies and view helpers the queue's routers share."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.kit.errors import Unprocessable
from bianmin.kit.identifiers import mask_name, mask_resident_id
from bianmin.kit.identity import Principal, ensure_tenant
from bianmin.kit.paths import MAX_ROW_ID
from bianmin.queue.domain import ordering
from bianmin.queue.domain.booking import BookingRules
from bianmin.queue.domain.halls import get_hall
from bianmin.queue.domain.notify import CallNotifier
from bianmin.queue.models import Hall, Line, Ticket
from bianmin.queue.schemas import TicketRead
from bianmin.queue.settings import QueueSettings


async def get_settings(request: Request) -> QueueSettings:
    """The service's settings (``async``: FastAPI runs a plain ``def`` dependency in its thread pool)."""
    return request.app.state.settings


async def get_notifier(request: Request) -> CallNotifier:
    """The in-process notifier that wakes SSE streams after a call (``async``, as :func:`get_settings`)."""
    return request.app.state.call_notifier


SettingsDep = Annotated[QueueSettings, Depends(get_settings)]
NotifierDep = Annotated[CallNotifier, Depends(get_notifier)]


def call_rules(settings: QueueSettings) -> ordering.Rules:
    """The call-order rules the settings configure."""
    return ordering.Rules(starvation_cap=timedelta(minutes=settings.starvation_cap_minutes),
                          due_lead=timedelta(minutes=settings.appointment_due_lead_minutes))


def booking_rules(settings: QueueSettings) -> BookingRules:
    """The booking rules the settings configure."""
    return BookingRules(horizon_days=settings.booking_horizon_days,
                        per_person_daily_limit=settings.per_person_daily_limit,
                        checkin_before=timedelta(minutes=settings.checkin_before_minutes),
                        checkin_grace=timedelta(minutes=settings.checkin_grace_minutes))


async def hall_for(session: AsyncSession, who: Principal, code: str) -> Hall:
    """The hall, after checking the principal may act on it (404 before 403, so codes are not probed)."""
    hall = await get_hall(session, code)
    ensure_tenant(who, hall.tenant)
    return hall


async def prefixes(session: AsyncSession, line_ids: set[int]) -> dict[int, str]:
    """The prefix letter of each line id."""
    if not line_ids:
        return {}
    rows = (await session.execute(select(Line.id, Line.prefix).where(Line.id.in_(line_ids)))).all()
    return {row.id: row.prefix for row in rows}


def ticket_view(ticket: Ticket, prefix_of: dict[int, str], *, people_ahead: int | None = None,
                estimated_wait_minutes: int | None = None) -> TicketRead:
    """A ticket as the API shows it, masked."""
    priorities = [p for p, on in (("elderly", ticket.elderly), ("disabled", ticket.disabled),
                                  ("green_channel", ticket.green_channel)) if on]
    return TicketRead(
        id=ticket.id, number=ticket.number, hall_code=ticket.hall_code, line=prefix_of[ticket.line_id],
        original_line=prefix_of[ticket.original_line_id], service_date=ticket.service_date, kind=ticket.kind,
        state=ticket.state, name=mask_name(ticket.name) if ticket.name else None,
        id_number=mask_resident_id(ticket.id_number) if ticket.id_number else None, item_code=ticket.item_code,
        priorities=priorities, late_arrival=ticket.late_arrival, due_at=ticket.due_at, issued_at=ticket.issued_at,
        first_called_at=ticket.first_called_at, called_at=ticket.called_at, completed_at=ticket.completed_at,
        counter_id=ticket.counter_id, target_counter_id=ticket.target_counter_id, recall_count=ticket.recall_count,
        transfer_count=ticket.transfer_count, service_seconds=ticket.service_seconds, call_reason=ticket.call_reason,
        people_ahead=people_ahead, estimated_wait_minutes=estimated_wait_minutes,
    )


async def ticket_read(session: AsyncSession, ticket: Ticket, **extra: int | None) -> TicketRead:
    """A ticket view, loading the prefixes it needs."""
    names = await prefixes(session, {ticket.line_id, ticket.original_line_id})
    return ticket_view(ticket, names, **extra)


def cursor_id(after: list[Any] | None) -> int | None:
    """The row id inside a list cursor; 422 for a cursor this API did not issue."""
    if not after:
        return None
    if len(after) != 1 or not isinstance(after[0], int) or isinstance(after[0], bool) or not 0 < after[0] <= MAX_ROW_ID:
        raise Unprocessable.field("cursor", "is not a cursor this API issued")
    return after[0]
