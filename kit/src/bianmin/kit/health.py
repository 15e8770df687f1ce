"""``/healthz`` (the process is up), ``/readyz`` (database and NATS reachable) and ``/metrics``.

These sit outside ``/v1`` and need no identity: orchestrators probe them directly. They reveal
nothing but up or down.
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
    ready = all(v == "ok" for v in checks.values())
    if ready:
        return JSONResponse({"status": "ready", "checks": checks})
    return JSONResponse({"type": "about:blank", "title": "Not ready", "status": 503, "code": "not_ready",
                         "checks": checks}, status_code=503, media_type=PROBLEM_JSON)
