"""Figures for the cockpit: endpoints by status and the deliveries of a period with their success rate."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bianmin.kit.stats import Figure, StatsContext
from bianmin.webhooks.domain.deliveries import FAILED, SUCCEEDED
from bianmin.webhooks.models import Delivery, Endpoint

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def figures(ctx: StatsContext) -> list[Figure]:
    """Endpoints now, and the deliveries created in the period by status."""
    session, period = ctx.session, ctx.period
    endpoints = (await session.scalars(select(Endpoint))).all()
    by_status: dict[str, int] = {"active": 0, "failing": 0, "disabled": 0}
    for endpoint in endpoints:
        by_status[endpoint.status] += 1
    query = select(Delivery.status, func.count()).group_by(Delivery.status)
    if period.start:
        query = query.where(Delivery.created_at >= datetime.combine(period.start, time(), SHANGHAI))
    if period.end:
        query = query.where(Delivery.created_at < datetime.combine(period.end + timedelta(days=1), time(), SHANGHAI))
    counts = {status: int(n) for status, n in (await session.execute(query)).all()}
    finished = counts.get(SUCCEEDED, 0) + counts.get(FAILED, 0)
    rate = (Decimal(counts.get(SUCCEEDED, 0) * 100) / finished).quantize(Decimal("0.1")) if finished else None
    return [
        Figure(name="endpoints", value=len(endpoints), unit="endpoints",
               definition="Registered webhook endpoints now, by status.", breakdown=dict(by_status)),
        Figure(name="deliveries", value=sum(counts.values()), unit="deliveries",
               definition="Deliveries created in the period (one per event and endpoint), by status.",
               breakdown={k: counts.get(k, 0) for k in ("pending", SUCCEEDED, FAILED)}),
        Figure(name="delivery_success_rate", value=rate, unit="%",
               definition="Succeeded among the period's deliveries that are finished (succeeded or failed)."),
    ]
