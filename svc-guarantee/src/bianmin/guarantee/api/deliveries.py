"""The delivery log of pushes to the provincial platform."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from bianmin.guarantee.api.deps import cursor_id
from bianmin.guarantee.models import Delivery, DeliveryAttempt
from bianmin.guarantee.schemas import DeliveryRead
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import require_scopes
from bianmin.kit.pagination import Page, PageDep

router = APIRouter(tags=["deliveries"])


@router.get("/deliveries", summary="The delivery log", dependencies=[require_scopes("guarantee:read")],
            responses=problem_responses(401, 403, 422))
async def list_deliveries(session: SessionDep, page: PageDep,
                          number: Annotated[str | None, Query(max_length=40)] = None) -> Page[DeliveryRead]:
    """Every push, its status and each attempt (district and site staff)."""
    statement = select(Delivery).order_by(Delivery.id).limit(page.limit + 1)
    if number:
        statement = statement.where(Delivery.guarantee_number == number)
    if page.after:
        statement = statement.where(Delivery.id > cursor_id(page.after))
    rows = list((await session.execute(statement)).scalars())
    rows, cursor = page.cut(rows, lambda last: [last.id])
    attempts = (await session.execute(select(DeliveryAttempt).where(
        DeliveryAttempt.delivery_id.in_([r.id for r in rows])).order_by(DeliveryAttempt.id))).scalars().all()
    items = [DeliveryRead(id=r.id, guarantee_number=r.guarantee_number, kind=r.kind, status=r.status,
                          attempts=r.attempts, next_attempt_at=r.next_attempt_at, delivered_at=r.delivered_at,
                          last_error=r.last_error,
                          log=[{"at": a.at.isoformat(), "status_code": a.status_code, "error": a.error,
                                "duration_ms": a.duration_ms} for a in attempts if a.delivery_id == r.id])
             for r in rows]
    return Page(items=items, next_cursor=cursor)
