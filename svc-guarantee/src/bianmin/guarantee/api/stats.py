"""``GET /v1/stats``: the guarantee figures for a period."""

from __future__ import annotations

from fastapi import APIRouter

from bianmin.guarantee.api.deps import CENTRE
from bianmin.guarantee.domain.stats import figures
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import require_scopes
from bianmin.kit.stats import Overview, StatsContextDep

router = APIRouter(tags=["stats"])


@router.get("/stats", summary="Guarantee figures", dependencies=[require_scopes("cockpit:read"), CENTRE],
            responses=problem_responses(401, 403, 422))
async def stats(context: StatsContextDep) -> Overview:
    """Guarantees by type and issuer, amount guaranteed, fees paid and average effective rate."""
    return Overview(service="guarantee", period=context.period, figures=await figures(context))
