"""``/healthz`` (the process is up), ``/readyz`` (the gateway's database answers) and ``/metrics``.

A down service does not make the gateway unready: the gateway still serves every other service,
answers 503 for the down one and keeps the orchestrator from restarting a healthy gateway.
Readiness also says how rate limits are counted: in memory they are per replica, so with more
than one replica declared (``BIANMIN_GATEWAY_REPLICAS``) each key gets a multiple of its limit and
the answer is ``degraded`` (still 200: the gateway serves, but not as promised).

``/metrics`` is not public (issue 17, finding 11): it names routes, upstreams and their health.
It needs a key or token with ``metrics:read`` (``admin`` holds it); Prometheus sends one as a
bearer credential. It is counted against that key's rate limit like any request.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bianmin.gateway.auth import MetricsDep
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
    rate_limits = "shared (redis)" if state.limiter.remote else "per-replica (memory)"
    if checks["database"] == "ok":
        per_replica = not state.limiter.remote and state.settings.replicas > 1
        return Readiness(status="degraded" if per_replica else "ready", checks=checks, upstreams=report,
                         rate_limits=rate_limits)
    body = {"type": "about:blank", "title": "Not ready", "status": 503, "code": "not_ready", "checks": checks,
            "upstreams": {n: s.model_dump() for n, s in report.items()}, "rate_limits": rate_limits}
    return JSONResponse(body, status_code=503, media_type=PROBLEM_JSON)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, _: MetricsDep) -> Response:
    """The gateway's Prometheus metrics, for a caller holding ``metrics:read``."""
    return await request.app.state.metrics.endpoint(request)
