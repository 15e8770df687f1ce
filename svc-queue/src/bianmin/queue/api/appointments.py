"""Appointment slots (public to read) and bookings: book, read, cancel, check in.

A citizen (or the app acting alone that booked) holds a booking: only they cancel it or read it as a
citizen; the hall's reception (its clerks, or a key of the hall) lists the day's bookings, masked.
Check-in proves the booking by the ID number it was made with.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from bianmin.kit import subjects
from bianmin.kit.calendar import load_calendar
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, public, require_scopes
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.policy import app, citizen, policy, staff
from bianmin.kit.workdays import local_date
from bianmin.queue.api.deps import (
    ANYONE,
    CONFIGURING,
    HALL_STAFF,
    HOLDING,
    MANAGER,
    SERVING,
    SettingsDep,
    booking_rules,
    ensure_holder,
    hall_for,
    holder_of,
)
from bianmin.queue.api.views import appointment_read, appointment_view, slot_view, ticket_read
from bianmin.queue.domain import booking, halls
from bianmin.queue.models import Line
from bianmin.queue.schemas import (
    AppointmentCreate,
    AppointmentRead,
    CheckIn,
    SkippedDayRead,
    SlotPlan,
    SlotPlanRead,
    SlotRead,
    TicketRead,
)

router = APIRouter(tags=["appointments"])
WRITE = [require_scopes("queue:write"), HOLDING]


@router.post("/halls/{code}/slots", status_code=201, summary="Plan appointment slots",
             dependencies=[require_scopes("queue:manage"), CONFIGURING],
             responses=problem_responses(401, 403, 404, 409, 422))
async def plan_slots(code: str, body: SlotPlan, session: SessionDep, who: PrincipalDep,
                     idem: IdempotencyDep, clock: ClockDep) -> SlotPlanRead:
    """Create a line's slots for every working day of a range (holidays skipped, existing slots kept).

    Days of a year whose holiday notice is not loaded get none and are listed as skipped, with why; a range
    of such days only is a 409 ``calendar_year_unknown``, as is a hall whose site is closed (``site_closed``).
    """
    hall = await hall_for(session, who, code, MANAGER)
    line = await halls.get_line(session, hall.code, body.line)
    plan = await booking.generate_slots(session, hall=hall, line=line, start=body.from_date, end=body.to_date,
                                        times=list(body.times), capacity=body.capacity,
                                        calendar=await load_calendar(session), today=local_date(clock.now()))
    view = SlotPlanRead(created=len(plan.created), slots=[slot_view(s, line.prefix) for s in plan.created],
                        skipped=[SkippedDayRead(day=s.day, reason=s.reason) for s in plan.skipped])
    return await idem.finish(session, view)


@router.get("/halls/{code}/slots", summary="Available slots", dependencies=[ANYONE],
            responses=problem_responses(401, 404, 422), **public())
async def list_slots(code: str, session: ReadSessionDep, clock: ClockDep,
                     day: Annotated[date | None, Query(alias="date", description="Defaults to today.")] = None,
                     line: Annotated[str | None, Query(pattern=r"^[A-Z]$")] = None) -> list[SlotRead]:
    """The slots of a hall on a day with the places left (public: citizens choose a time).

    None while the hall's site is closed, on a day off, or on a day of a year whose holiday notice is not loaded.
    """
    hall = await halls.get_hall(session, code)
    line_row: Line | None = await halls.get_line(session, hall.code, line) if line else None
    slots = await booking.list_slots(session, hall=hall, day=day or local_date(clock.now()),
                                     line_id=line_row.id if line_row else None, calendar=await load_calendar(session))
    names = await halls.prefixes(session, [s.line_id for s in slots])
    return [slot_view(s, names[s.line_id]) for s in slots]


@router.post("/appointments", status_code=201, summary="Book an appointment", dependencies=WRITE,
             responses=problem_responses(401, 403, 404, 409, 422))
async def book(body: AppointmentCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
               clock: ClockDep, settings: SettingsDep) -> AppointmentRead:
    """Book a place in a slot; never beyond its capacity, on working days within the horizon only."""
    slot = await booking.get_slot(session, body.slot_id)
    hall = await hall_for(session, who, slot.hall_code)
    appointment = await booking.book(session, hall=hall, slot=slot, name=body.name, id_number=body.id_number, phone=body.phone,
                                     item_code=body.item_code, now=clock.now(),
                                     calendar=await load_calendar(session), rules=booking_rules(settings),
                                     holder=holder_of(who))
    view = await appointment_read(session, appointment)
    return await idem.finish(session, view)


@router.get("/appointments", summary="List a hall's appointments", dependencies=[require_scopes("queue:read"), SERVING],
            responses=problem_responses(401, 403, 404, 422))
async def list_appointments(session: ReadSessionDep, who: PrincipalDep, clock: ClockDep, page: PageDep,
                            hall: Annotated[str, Query(description="Hall code.")],
                            day: Annotated[date | None, Query(alias="date", description="Defaults to today.")] = None,
                            state: Literal["booked", "checked_in", "cancelled"] | None = None,
                            ) -> Page[AppointmentRead]:
    """The appointments of a hall on a day in booking order, masked (for the hall's reception)."""
    await hall_for(session, who, hall)
    rows, cursor = await booking.list_appointments(session, hall_code=hall, day=day or local_date(clock.now()),
                                                   state=state, page=page)
    slots = await booking.slots_by_id(session, [a.slot_id for a in rows])
    names = await halls.prefixes(session, [a.line_id for a in rows])
    items = [appointment_view(a, slots[a.slot_id], names[a.line_id]) for a in rows]
    return Page[AppointmentRead](items=items, next_cursor=cursor)


@router.get("/appointments/{code}", summary="Read an appointment",
            dependencies=[require_scopes("queue:read"), policy(citizen(), staff(*HALL_STAFF), app())],
            responses=problem_responses(401, 403, 404))
async def read_appointment(code: str, session: ReadSessionDep, who: PrincipalDep) -> AppointmentRead:
    """An appointment by its booking code (a citizen reads their own only), masked."""
    appointment = await booking.get_appointment(session, code)
    await hall_for(session, who, appointment.hall_code)
    if who.is_a(subjects.CITIZEN):
        ensure_holder(who, appointment.holder)
    return await appointment_read(session, appointment)


@router.post("/appointments/{code}/cancel", summary="Cancel an appointment", dependencies=WRITE,
             responses=problem_responses(401, 403, 404, 409))
async def cancel(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> AppointmentRead:
    """Cancel before the slot starts; the place becomes free again. Only who booked it cancels it."""
    appointment = await booking.get_appointment(session, code, lock=True)
    await hall_for(session, who, appointment.hall_code)
    ensure_holder(who, appointment.holder)
    await booking.cancel(session, appointment=appointment, now=clock.now())
    view = await appointment_read(session, appointment)
    await session.commit()
    return view


@router.post("/appointments/{code}/check-in", status_code=201, summary="Check in",
             dependencies=[require_scopes("queue:write"), policy(citizen(), staff(*HALL_STAFF), app())],
             responses=problem_responses(401, 403, 404, 409, 422))
async def check_in(code: str, body: CheckIn, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                   settings: SettingsDep, idem: IdempotencyDep) -> TicketRead:
    """Turn an appointment into a ticket: appointment priority in the window, walk-in queue when late."""
    appointment = await booking.get_appointment(session, code, lock=True)
    hall = await hall_for(session, who, appointment.hall_code)
    if who.is_a(subjects.CITIZEN):
        ensure_holder(who, appointment.holder)
    issued = await booking.check_in(session, appointment=appointment, id_number=body.id_number, hall=hall,
                                    now=clock.now(), rules=booking_rules(settings),
                                    default_service_minutes=settings.default_service_minutes)
    view = await ticket_read(session, issued.ticket, people_ahead=issued.people_ahead,
                             estimated_wait_minutes=issued.estimated_wait_minutes)
    return await idem.finish(session, view)
