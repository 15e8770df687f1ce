"""Appointments (预约): slots with capacity, the booking horizon, per-person limits, check-in.

Rules:
- Slots belong to a hall, line and day; generating slots over a date range skips the days the
  working-day calendar marks off (holidays closed, 调休 working weekends open) and slots that exist.
- A day of a year whose State Council holiday notice is not loaded is *unknown* (issue 20): counting
  it by weekends alone would open New Year's Day and the Spring Festival week. Planning skips such
  days and answers which and why; a range made only of unknown days is refused whole (409
  ``calendar_year_unknown``: nothing could be planned until an operator loads the notice, which is a
  state of the platform, not a fault of the request). The available-slots listing shows no slot on
  an unknown day or a day off, and booking one is refused (409 ``calendar_year_unknown`` or
  ``hall_closed``), whatever was planned before the calendar said so.
- A booking must fall on a working day of a known year within the horizon (today … today +
  ``booking_horizon_days``) and before the slot starts. One ID number holds at most
  ``per_person_daily_limit`` live bookings per day, across halls; the count is an atomic conditional
  upsert, so concurrent bookings by one person cannot pass it either.
- Capacity is taken with a conditional ``UPDATE slot SET booked = booked + 1 WHERE booked < capacity``:
  atomic on both databases, so concurrent bookings never exceed it.
- Cancelling is allowed until the slot starts and gives the place back.
- Check-in opens ``checkin_before_minutes`` before the slot; up to ``checkin_grace_minutes`` after its
  start the appointment becomes a ticket with appointment priority; later, it joins the walk-in queue.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.kit.errors import Unprocessable
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.workdays import SHANGHAI, WorkCalendar, local_date
from bianmin.queue.domain import tickets
from bianmin.queue.domain.errors import (
    AppointmentNotBooked,
    AppointmentNotFound,
    BeyondHorizon,
    CalendarYearUnknown,
    CheckInTooEarly,
    CheckInWrongDay,
    DailyLimitReached,
    HallClosed,
    SlotFull,
    SlotNotFound,
    SlotPast,
    SlotStarted,
)
from bianmin.queue.domain.halls import ensure_open
from bianmin.queue.models import Appointment, BookingQuota, Hall, Line, Slot

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MAX_RANGE_DAYS = 62


@dataclass(frozen=True)
class BookingRules:
    """The tunable parts of booking and check-in."""

    horizon_days: int = 14
    per_person_daily_limit: int = 2
    checkin_before: timedelta = timedelta(minutes=30)
    checkin_grace: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class SkippedDay:
    """A day of a plan that got no slots although it may be worked, and why."""

    day: date
    reason: str


@dataclass(frozen=True)
class Plan:
    """What a slot plan created, and the days it skipped because their year's notice is not loaded."""

    created: list[Slot]
    skipped: list[SkippedDay]


def unknown_year(year: int) -> str:
    """Why nothing is offered on a day of ``year``: its notice is not loaded."""
    return (f"no State Council holiday notice for {year} is loaded: appointment slots are offered on its days "
            "once an operator loads it")


def ensure_bookable(calendar: WorkCalendar, day: date) -> None:
    """409 unless the hall takes appointments on ``day``: a working day of a year whose notice is loaded."""
    if not calendar.knows(day.year):
        raise CalendarYearUnknown(f"{day.isoformat()}: {unknown_year(day.year)}.")
    if not calendar.is_workday(day):
        raise HallClosed(f"The hall is closed on {day.isoformat()}.")


def bookable(calendar: WorkCalendar, day: date) -> bool:
    """Whether the hall takes appointments on ``day`` (:func:`ensure_bookable` would let it pass)."""
    return calendar.knows(day.year) and calendar.is_workday(day)


async def generate_slots(session: AsyncSession, *, hall: Hall, line: Line, start: date, end: date,
                         times: list[tuple[time, time]], capacity: int, calendar: WorkCalendar,
                         today: date) -> Plan:
    """Create the slots of a line for every working day of a range; existing slots are left alone, unknown days skipped."""
    ensure_open(hall)
    if start < today:
        raise Unprocessable.field("from_date", "must not be in the past")
    if end < start:
        raise Unprocessable.field("to_date", "must not be before from_date")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise Unprocessable.field("to_date", f"a range covers at most {MAX_RANGE_DAYS} days")
    for index, (begin, finish) in enumerate(times):
        if finish <= begin:
            raise Unprocessable.field(f"times.{index}.end", "must be after start")
    missing = calendar.missing_years(start, end)
    if len(missing) == end.year - start.year + 1:
        raise CalendarYearUnknown(f"Every day from {start.isoformat()} to {end.isoformat()} is unknown: "
                                  + "; ".join(unknown_year(year) for year in missing) + ".")
    existing = set((await session.scalars(select(Slot.start_at).where(
        Slot.line_id == line.id, Slot.day >= start, Slot.day <= end))).all())
    created: list[Slot] = []
    skipped: list[SkippedDay] = []
    day = start
    while day <= end:
        if not calendar.knows(day.year):
            skipped.append(SkippedDay(day, unknown_year(day.year)))
        elif calendar.is_workday(day):
            for begin, finish in times:
                start_at = datetime.combine(day, begin, tzinfo=SHANGHAI)
                if start_at in existing:
                    continue
                slot = Slot(hall_code=hall.code, line_id=line.id, day=day, start_at=start_at,
                            end_at=datetime.combine(day, finish, tzinfo=SHANGHAI), capacity=capacity, booked=0)
                session.add(slot)
                created.append(slot)
                existing.add(start_at)
        day += timedelta(days=1)
    await session.flush()
    return Plan(created, skipped)


async def list_slots(session: AsyncSession, *, hall: Hall, day: date, line_id: int | None,
                     calendar: WorkCalendar) -> Sequence[Slot]:
    """The slots one may book at a hall on a day, optionally of one line, by start time.

    None while the hall's site is closed, or on a day the hall takes no appointments.
    """
    if not hall.active or not bookable(calendar, day):
        return []
    statement = select(Slot).where(Slot.hall_code == hall.code, Slot.day == day)
    if line_id is not None:
        statement = statement.where(Slot.line_id == line_id)
    return (await session.scalars(statement.order_by(Slot.start_at, Slot.line_id))).all()


async def get_slot(session: AsyncSession, slot_id: int) -> Slot:
    """The slot with this id; 404 when there is none."""
    slot = await session.get(Slot, slot_id)
    if slot is None:
        raise SlotNotFound(f"No slot {slot_id}.")
    return slot


async def book(session: AsyncSession, *, hall: Hall, slot: Slot, name: str, id_number: str, phone: str | None,
               item_code: str | None, now: datetime, calendar: WorkCalendar, rules: BookingRules,
               holder: str | None = None) -> Appointment:
    """Book one place of a slot for a person; ``holder`` (who booked) alone may cancel it and rate the service."""
    ensure_open(hall)
    today = local_date(now)
    if slot.start_at <= now:
        raise SlotPast("This slot has started; book a later one.")
    if slot.day > today + timedelta(days=rules.horizon_days):
        raise BeyondHorizon(f"Bookings open {rules.horizon_days} days ahead.")
    ensure_bookable(calendar, slot.day)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    quota = await session.execute(
        insert(BookingQuota).values(person_key=person_key(id_number), day=slot.day, booked=1)
        .on_conflict_do_update(index_elements=["person_key", "day"], set_={"booked": BookingQuota.booked + 1},
                               where=BookingQuota.booked < rules.per_person_daily_limit)
        .returning(BookingQuota.booked))
    if quota.first() is None:
        raise DailyLimitReached(f"One person may hold {rules.per_person_daily_limit} appointments a day.")
    taken = await session.execute(update(Slot).where(Slot.id == slot.id, Slot.booked < Slot.capacity)
                                  .values(booked=Slot.booked + 1))
    if taken.rowcount != 1:
        raise SlotFull("This slot is fully booked.")
    appointment = Appointment(code=_new_code(), slot_id=slot.id, hall_code=slot.hall_code, line_id=slot.line_id,
                              day=slot.day, name=name, id_number=id_number, phone=phone, item_code=item_code,
                              holder=holder, state="booked", created_at=now)
    session.add(appointment)
    await session.flush()
    return appointment


def person_key(id_number: str) -> str:
    """The key under which a person's bookings are counted: a hash, so the quota table holds no ID numbers."""
    return hashlib.sha256(f"bianmin-queue-quota:{id_number}".encode()).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


async def list_appointments(session: AsyncSession, *, hall_code: str, day: date, state: str | None,
                            page: PageParams) -> tuple[list[Appointment], str | None]:
    """A page of the appointments of a hall on a day, in booking order."""
    statement = select(Appointment).where(Appointment.hall_code == hall_code, Appointment.day == day)
    if state is not None:
        statement = statement.where(Appointment.state == state)
    return await paginate(session, statement, page, keys=[Appointment.created_at, Appointment.id])


async def slots_by_id(session: AsyncSession, slot_ids: Iterable[int]) -> dict[int, Slot]:
    """The slots with these ids, by id: one query for a whole page of appointments."""
    wanted = set(slot_ids)
    if not wanted:
        return {}
    return {s.id: s for s in (await session.scalars(select(Slot).where(Slot.id.in_(wanted)))).all()}


async def get_appointment(session: AsyncSession, code: str, *, lock: bool = False) -> Appointment:
    """The appointment with this booking code, locked for a change when ``lock``; 404 when there is none."""
    statement = select(Appointment).where(Appointment.code == code)
    if lock:
        statement = statement.with_for_update()
    appointment = await session.scalar(statement)
    if appointment is None:
        raise AppointmentNotFound(f"No appointment {code}.")
    return appointment


async def cancel(session: AsyncSession, *, appointment: Appointment, now: datetime) -> Appointment:
    """Cancel a booking before its slot starts and give the place back."""
    slot = await get_slot(session, appointment.slot_id)
    if appointment.state != "booked":
        raise AppointmentNotBooked(f"The appointment is {appointment.state}.")
    if now >= slot.start_at:
        raise SlotStarted("The slot has started; it can no longer be cancelled.")
    appointment.state = "cancelled"
    appointment.cancelled_at = now
    await session.execute(update(Slot).where(Slot.id == slot.id).values(booked=Slot.booked - 1))
    await session.execute(update(BookingQuota).where(BookingQuota.person_key == person_key(appointment.id_number),
                                                     BookingQuota.day == appointment.day)
                          .values(booked=BookingQuota.booked - 1))
    await session.flush()
    return appointment


async def check_in(session: AsyncSession, *, appointment: Appointment, id_number: str, hall: Hall, now: datetime,
                   rules: BookingRules, default_service_minutes: float) -> tickets.Issued:
    """Turn an appointment into a ticket: appointment priority within the window, walk-in when late."""
    if appointment.state != "booked":
        raise AppointmentNotBooked(f"The appointment is {appointment.state}.")
    if id_number != appointment.id_number:
        raise Unprocessable.field("id_number", "does not match the appointment")
    slot = await get_slot(session, appointment.slot_id)
    if local_date(now) != slot.day:
        raise CheckInWrongDay(f"The appointment is for {slot.day.isoformat()}.")
    if now < slot.start_at - rules.checkin_before:
        raise CheckInTooEarly("Check-in has not opened yet.")
    late = now > slot.start_at + rules.checkin_grace
    line = await session.get(Line, appointment.line_id)
    assert line is not None
    issued = await tickets.issue(
        session, hall=hall, line=line,
        person=tickets.Person(name=appointment.name, id_number=appointment.id_number, phone=appointment.phone,
                              holder=appointment.holder),
        item_code=appointment.item_code, now=now, default_service_minutes=default_service_minutes,
        appointment_id=appointment.id, due_at=slot.start_at, late_arrival=late)
    appointment.state = "checked_in"
    appointment.checked_in_at = now
    appointment.ticket_id = issued.ticket.id
    await session.flush()
    return issued
