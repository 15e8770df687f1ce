"""The delivery log of pushes to the provincial platform."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.guarantee.api import views
from bianmin.guarantee.api.deps import CENTRE
from bianmin.guarantee.domain import delivery
from bianmin.guarantee.schemas import DeliveryRead
from bianmin.kit.db import ReadSessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import require_scopes
from bianmin.kit.pagination import Page, PageDep

router = APIRouter(tags=["deliveries"])


@router.get("/deliveries", summary="The delivery log", dependencies=[require_scopes("guarantee:read"), CENTRE],
            responses=problem_responses(401, 403, 422))
async def list_deliveries(session: ReadSessionDep, page: PageDep,
                          number: Annotated[str | None, Query(max_length=40)] = None) -> Page[DeliveryRead]:
    """Every push, its status and each attempt (district and site staff)."""
    rows, cursor = await delivery.listed(session, page, number=number)
    return Page(items=[views.delivery_read(d, attempts) for d, attempts in rows], next_cursor=cursor)
