"""``/healthz`` (the process is up) and ``/readyz`` (the gateway's database answers; upstreams for information).

A down service does not make the gateway unready: the gateway still serves every other service,
answers 503 for the down one and keeps the orchestrator from restarting a healthy gateway.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bianmin.gateway.schemas import Readiness, UpstreamStatus
from bianmin.gateway.transport import UpstreamRequest
from bianmin.gateway.upstreams import Upstream
from bianmin.kit.errors import PROBLEM_JSON

router = APIRouter(tags=["health"])
PING_TIMEOUT_SECONDS = 2.0


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


async def _probe(upstream: Upstream, timeout: float) -> str:
    """An upstream's own ``/healthz``, straight through its transport so probes never trip its breaker."""
    try:
        async with asyncio.timeout(timeout):
            response = await upstream.transport.send(UpstreamRequest(method="GET", target="/healthz", read_timeout=timeout))
            await response.aclose()
    except TimeoutError:
        return "down: timeout"
    except Exception as exc:
        return f"down: {type(exc).__name__}"
    return "ok" if response.status_code == 200 else f"down: status {response.status_code}"


@router.get("/readyz", summary="Readiness", response_model=Readiness, responses={503: {"description": "The gateway's database is down."}})
async def readyz(request: Request) -> Readiness | JSONResponse:
    """Ready when the gateway's database answers; each upstream's circuit and health are reported alongside."""
    state = request.app.state
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(state.db.ping(), timeout=PING_TIMEOUT_SECONDS)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"down: {type(exc).__name__}"
    upstreams: dict[str, Upstream] = state.upstreams
    names = sorted(upstreams)
    health = await asyncio.gather(*(_probe(upstreams[n], state.settings.probe_timeout_seconds) for n in names))
    report = {n: UpstreamStatus(url=upstreams[n].base_url, circuit=upstreams[n].breaker.state.value, health=h)
              for n, h in zip(names, health, strict=True)}
    if checks["database"] == "ok":
        return Readiness(status="ready", checks=checks, upstreams=report)
    body = {"type": "about:blank", "title": "Not ready", "status": 503, "code": "not_ready", "checks": checks,
            "upstreams": {n: s.model_dump() for n, s in report.items()}}
    return JSONResponse(body, status_code=503, media_type=PROBLEM_JSON)
