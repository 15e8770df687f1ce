"""``GET /v1/stats``: the guarantee figures for a period."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.guarantee.domain.stats import figures
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.identity import require_scopes
from bianmin.kit.stats import Overview, Period

router = APIRouter(tags=["stats"])


@router.get("/stats", summary="Guarantee figures", dependencies=[require_scopes("cockpit:read")],
            responses=problem_responses(401, 403, 422))
async def stats(session: SessionDep, start: Annotated[date | None, Query(alias="from")] = None,
                end: Annotated[date | None, Query(alias="to")] = None) -> Overview:
    """Guarantees by type and issuer, amount guaranteed, fees paid and average effective rate."""
    if start and end and end < start:
        raise Unprocessable.field("to", "must not be before from")
    period = Period(start=start, end=end)
    return Overview(service="guarantee", period=period, figures=await figures(session, period))
