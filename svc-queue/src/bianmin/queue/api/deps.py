"""The dependencies the queue's routers share: settings, the call notifier, the configured rules, and a hall the caller may act on."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request

from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.identity import Principal, ensure_tenant
from bianmin.kit.settings import settings_dependency
from bianmin.queue.domain import ordering
from bianmin.queue.domain.booking import BookingRules
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


async def hall_for(session: AnySession, who: Principal, code: str) -> Hall:
    """The hall, after checking the principal may act on it (404 before 403, so codes are not probed)."""
    hall = await get_hall(session, code)
    ensure_tenant(who, hall.tenant)
    return hall
