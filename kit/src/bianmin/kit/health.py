"""``/healthz`` (the process is up), ``/readyz`` (database and NATS checked) and ``/metrics``.

These sit outside ``/v1`` and need no identity: orchestrators probe them directly. They reveal
nothing but up or down. Readiness fails only when the database does not answer: while NATS is
down a service still accepts every write (its events wait in the outbox), so taking it out of its
load balancer would turn a messaging outage into an outage of the whole API. NATS is still
checked and reported, and the answer says ``degraded``.

The clock is reported too: the skew from the gateway's clock that the identity tokens show
(``bianmin.kit.identity.ClockSkew``). Past half the leeway the answer says ``degraded`` (time to fix
the host's time sync); past the whole leeway every request is refused, so the service is not ready.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bianmin.kit.errors import PROBLEM_JSON

router = APIRouter(tags=["health"])
PING_TIMEOUT_SECONDS = 2.0


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness", responses={503: {"description": "A dependency is down."}})
async def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers and, where events are on, NATS is connected."""
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(request.app.state.db.ping(), timeout=PING_TIMEOUT_SECONDS)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"down: {type(exc).__name__}"
    bus = request.app.state.bus
    if bus is not None:
        checks["nats"] = "ok" if bus.connected else "down"
    skew, leeway = request.app.state.clock_skew.seconds, request.app.state.settings.identity_leeway_seconds
    checks["clock"] = clock_check(skew, leeway)
    refusing = skew is not None and abs(skew) > leeway
    if checks["database"] == "ok" and not refusing:
        status = "ready" if all(v == "ok" for v in checks.values()) else "degraded"
        return JSONResponse({"status": status, "checks": checks})
    return JSONResponse({"type": "about:blank", "title": "Not ready", "status": 503, "code": "not_ready",
                         "checks": checks}, status_code=503, media_type=PROBLEM_JSON)


def clock_check(skew: float | None, leeway: float) -> str:
    """``ok``, ``skewed`` (beyond half the leeway) or ``refusing`` (beyond it), naming the skew seen."""
    if skew is None or abs(skew) <= leeway / 2:
        return "ok"
    direction = "behind" if skew > 0 else "ahead of"
    state = "refusing tokens" if abs(skew) > leeway else "skewed"
    return f"{state}: about {abs(skew):.0f} s {direction} the gateway (leeway {leeway:.0f} s)"
