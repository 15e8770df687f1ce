"""``GET /v1/stats``: the credit figures for any authenticated caller."""

from __future__ import annotations

from fastapi import APIRouter

from bianmin.credit.api.deps import EVERYONE
from bianmin.credit.domain.stats import figures
from bianmin.kit.errors import problem_responses
from bianmin.kit.stats import Overview, StatsContextDep

router = APIRouter(tags=["stats"])


@router.get("/stats", dependencies=[EVERYONE], summary="Credit figures", responses=problem_responses(401, 422))
async def stats(context: StatsContextDep) -> Overview:
    """Enterprises coded, distribution by color, and color transitions in a period."""
    return Overview(service="credit", period=context.period, figures=await figures(context))
