"""The dependencies the queue's routers share: settings, the call notifier, the configured rules, a hall the
caller may act on, and who holds a ticket or an appointment.

Who may act (issue 19, 政务服务大厅 practice): citizens, and kiosk or citizen apps acting alone, take
tickets, book, check in, cancel and rate their own things; staff holding ``clerk`` or ``hall_manager``
at the hall's site (or a site above it) serve the queue; configuring a hall needs ``hall_manager``
there, an operator, or a key of that hall's tenancy. An app acting alone keeps today's rule: its
scopes and its tenant.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from bianmin.kit import subjects
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.identity import Principal, ensure_tenant
from bianmin.kit.policy import app, citizen, custodian, ensure_role, enterprise, expert, issuer, operator, policy, staff, supervisor
from bianmin.kit.settings import settings_dependency
from bianmin.queue.domain import ordering
from bianmin.queue.domain.booking import BookingRules
from bianmin.queue.domain.errors import NotTheHolder
from bianmin.queue.domain.halls import get_hall
from bianmin.queue.domain.notify import CallNotifier
from bianmin.queue.models import Hall
from bianmin.queue.settings import QueueSettings

SettingsDep = settings_dependency(QueueSettings)
# The session a route holds, read-only or not (both are the kit's AsyncSession), for helpers that only
# read through it: routers and views name no SQLAlchemy type.
AnySession = ReadSessionDep | SessionDep


async def get_notifier(request: Request) -> CallNotifier:
    """The in-process notifier that wakes SSE streams after a call (``async``: no thread-pool hop per request)."""
    return request.app.state.call_notifier


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


# The roles that serve a hall's queue, and the one that configures it (bianmin.kit.roles).
HALL_STAFF = ("clerk", "hall_manager")
MANAGER = ("hall_manager",)
# Who may read what citizens read without an account (boards, halls, slots): anyone, as before.
ANYONE = policy(app(), citizen(), staff(), enterprise(), expert(), custodian(), issuer(), supervisor(), operator())
# Serving the queue: the hall's staff, or a hall's key acting alone (the end-to-end flows' counters use one).
SERVING = policy(staff(*HALL_STAFF), app())
# Configuring a hall (lines, counters, opening hours, slots, imports): its manager, an operator, or a key.
CONFIGURING = policy(staff(*MANAGER, second_factor=True), operator(), app())
# What a citizen does with their own ticket or booking (a kiosk's or citizen app's key acting alone too).
HOLDING = policy(citizen(), app())


def ensure_staff_of(who: Principal, site: str, roles: tuple[str, ...] = HALL_STAFF) -> None:
    """403 ``role_missing`` unless a staff subject holds one of ``roles`` over ``site``; others pass (the policy admitted them)."""
    if who.is_a(subjects.STAFF):
        ensure_role(who, roles, site)


async def hall_for(session: AnySession, who: Principal, code: str, roles: tuple[str, ...] = HALL_STAFF) -> Hall:
    """The hall, after checking the principal may act on it (404 before 403, so codes are not probed).

    The app's tenancy bounds every caller; a staff subject must also hold one of ``roles`` at the hall's site.
    """
    hall = await get_hall(session, code)
    ensure_tenant(who, hall.tenant)
    ensure_staff_of(who, hall.code, roles)
    return hall


def holder_of(who: Principal) -> str | None:
    """Who holds what this caller takes or books: the citizen (stable subject id), or the app acting alone.

    Recorded on the ticket or appointment so that only that holder rates, cancels or follows it
    (国办发〔2019〕51号: the rating comes from the one who was served). Other subjects hold nothing.
    """
    if who.subject is None:
        return f"app:{who.key_id}"
    if who.is_a(subjects.CITIZEN):
        return f"citizen:{who.subject.id}"
    return None


def ensure_holder(who: Principal, holder: str | None) -> None:
    """403 ``not_the_holder`` unless the caller is the one who took the ticket or booked the appointment."""
    mine = holder_of(who)
    if mine is None or mine != holder:
        raise NotTheHolder("Only the citizen (or app) that took this ticket or booked this appointment may do this.")
