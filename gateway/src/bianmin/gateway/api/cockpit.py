"""``/cockpit/v1/overview``: the data cockpit (数据驾驶舱), every service's figures in one answer.

The gateway asks every service's ``GET /v1/stats/overview`` at once, as the caller, with a short
timeout. The answer always comes within that timeout and is always 200: the services that did not
answer (down, slow, refusing, or answering nonsense) are listed in ``missing`` with the reason.
The services' warnings (a working-day calendar about to run out) are listed once each in ``warnings``.
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from pydantic import ValidationError

from bianmin.gateway.auth import CockpitDep
from bianmin.gateway.domain.breaker import CircuitOpen
from bianmin.gateway.forward import add_upstream_time, upstream_headers
from bianmin.gateway.schemas import CockpitOverview, CockpitWarning
from bianmin.gateway.transport import UpstreamRequest, UpstreamTimedOut, UpstreamUnreachable
from bianmin.gateway.upstreams import Upstream
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import Principal
from bianmin.kit.stats import Overview, PeriodDep

router = APIRouter(prefix="/cockpit/v1", tags=["cockpit"])


class _Missing(Exception):
    """One service's part could not be had; the message says why."""


async def _part(request: Request, upstream: Upstream, principal: Principal, query: str, timeout: float) -> Overview:
    outgoing = UpstreamRequest(method="GET", target=f"/v1/stats/overview{query}", read_timeout=timeout,
                               headers=upstream_headers(request, principal, service=upstream.name,
                                                               client_headers=False))
    try:
        async with asyncio.timeout(timeout):
            response = await upstream.send(outgoing)
            try:
                body = await response.read()
            finally:
                await response.aclose()
    except TimeoutError as exc:
        raise _Missing("timeout") from exc
    except CircuitOpen as exc:
        raise _Missing("circuit_open") from exc
    except UpstreamUnreachable as exc:
        raise _Missing("unreachable") from exc
    except UpstreamTimedOut as exc:
        raise _Missing("timeout") from exc
    if response.status_code != 200:
        raise _Missing(f"status_{response.status_code}")
    try:
        return Overview.model_validate_json(body)
    except ValidationError as exc:
        raise _Missing("invalid_answer") from exc


@router.get("/overview", summary="Every service's figures for a period", responses=problem_responses(401, 403, 422, 429))
async def overview(
    request: Request,
    principal: CockpitDep,
    period: PeriodDep,
) -> CockpitOverview:
    """Fan out to every service's stats at once; list the services that did not answer as missing."""
    params = {k: v.isoformat() for k, v in (("from", period.start), ("to", period.end)) if v is not None}
    query = f"?{urlencode(params)}" if params else ""
    upstreams: dict[str, Upstream] = request.app.state.upstreams
    timeout = request.app.state.settings.cockpit_timeout_seconds
    names = sorted(upstreams)
    started = time.perf_counter()
    results = await asyncio.gather(*(_part(request, upstreams[n], principal, query, timeout) for n in names),
                                   return_exceptions=True)
    add_upstream_time(request, time.perf_counter() - started)
    parts: list[Overview] = []
    reasons: dict[str, str] = {}
    for name, result in zip(names, results, strict=True):
        if isinstance(result, Overview):
            parts.append(result)
        elif isinstance(result, _Missing):
            reasons[name] = str(result)
        elif isinstance(result, BaseException):
            if not isinstance(result, Exception):
                raise result
            reasons[name] = f"error_{type(result).__name__}"
    return CockpitOverview(period=period, parts=parts, missing=sorted(reasons), reasons=reasons,
                           warnings=warnings_of(parts))


def warnings_of(parts: list[Overview]) -> list[CockpitWarning]:
    """Each distinct warning once, with the services that raised it (every copy of the calendar warns alike)."""
    raised: dict[str, list[str]] = {}
    for part in parts:
        for text in part.warnings:
            raised.setdefault(text, []).append(part.service)
    return [CockpitWarning(text=text, services=sorted(services)) for text, services in raised.items()]
