"""Live threshold alerts: a hall breaches when too many tickets have waited longer than N minutes.

Each hall carries ``alert_open_since``. A breach is raised by a conditional update
(``... WHERE alert_open_since IS NULL``) and cleared by one on the stored value, so with several
replicas checking at once exactly one of them records the change and emits ``queue.hall.alert``:
once when the breach starts (``raised``) and once when it ends (``cleared``), never on every tick.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.queue import HallAlert as HallAlertPayload
from bianmin.kit.events import emit
from bianmin.queue.domain.flow import waiting_over
from bianmin.queue.models import Hall, HallAlert


async def check_hall(session: AsyncSession, hall: Hall, now: datetime) -> str | None:
    """Raise or clear one hall's alert as its waiting figures require; what changed, if anything."""
    over = await waiting_over(session, hall.code, now, hall.alert_wait_minutes)
    breach = over >= hall.alert_waiting_count
    if breach and hall.alert_open_since is None:
        claimed = await session.execute(update(Hall).where(Hall.code == hall.code, Hall.alert_open_since.is_(None))
                                        .values(alert_open_since=now))
        if claimed.rowcount != 1:
            return None
        alert = HallAlert(hall_code=hall.code, kind="long_wait", waiting_over=over,
                          threshold_minutes=hall.alert_wait_minutes, threshold_count=hall.alert_waiting_count,
                          raised_at=now)
        session.add(alert)
        await session.flush()
        await _emit(session, hall, alert, "raised", over, now)
        return "raised"
    if not breach and hall.alert_open_since is not None:
        released = await session.execute(update(Hall).where(Hall.code == hall.code,
                                                            Hall.alert_open_since == hall.alert_open_since)
                                         .values(alert_open_since=None))
        if released.rowcount != 1:
            return None
        alert = await session.scalar(select(HallAlert).where(HallAlert.hall_code == hall.code,
                                                             HallAlert.cleared_at.is_(None))
                                     .order_by(HallAlert.id.desc()).limit(1))
        if alert is not None:
            alert.cleared_at = now
            await session.flush()
            await _emit(session, hall, alert, "cleared", over, now)
        return "cleared"
    return None


async def _emit(session: AsyncSession, hall: Hall, alert: HallAlert, status: str, over: int, now: datetime) -> None:
    await emit(session, "queue.hall.alert", HallAlertPayload(
        alert_id=alert.id, hall_code=hall.code, kind="long_wait", status=status,  # type: ignore[arg-type]
        waiting_over=over, threshold_minutes=alert.threshold_minutes, threshold_count=alert.threshold_count,
        at=now,
    ), tenant=hall.tenant, about=hall.code)


async def check_all(session: AsyncSession, now: datetime) -> dict[str, str]:
    """Check every hall; the changes made, by hall code."""
    changes: dict[str, str] = {}
    for hall in (await session.scalars(select(Hall).order_by(Hall.code))).all():
        change = await check_hall(session, hall, now)
        if change:
            changes[hall.code] = change
    return changes
