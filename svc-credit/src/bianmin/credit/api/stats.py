"""``GET /v1/stats``: the credit figures for any authenticated caller."""

from __future__ import annotations

from fastapi import APIRouter

from bianmin.credit.domain.stats import figures
from bianmin.kit.db import ReadSessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.stats import Overview, PeriodDep

router = APIRouter(tags=["stats"])


@router.get("/stats", summary="Credit figures", responses=problem_responses(401, 422))
async def stats(session: ReadSessionDep, period: PeriodDep) -> Overview:
    """Enterprises coded, distribution by color, and color transitions in a period."""
    return Overview(service="credit", period=period, figures=await figures(session, period))
