"""``/healthz`` (the process is up), ``/readyz`` (database, storage, NATS and the outbox checked) and ``/metrics``.

These sit outside ``/v1`` and need no identity: orchestrators probe them directly. They reveal
nothing but up or down and the size of the outbox backlog.

Readiness fails when the database does not answer, and while it refuses writes for lack of room
(``storage: full``; :mod:`bianmin.kit.storage` says how that is known without a probe write and
when it clears): reads would still work, but every write answers 503. It does not fail while NATS is down: a service
still accepts every write then (its events wait in the outbox), so taking it out of its load
balancer would turn a messaging outage into an outage of the whole API. NATS is still checked and
reported, and the answer says ``degraded``.

The outbox backlog is reported in every answer: ``outbox.pending`` (events not yet in JetStream)
and ``outbox.oldest_pending_seconds`` (how long the oldest has waited), counted as
:mod:`bianmin.kit.events.backlog` describes, never per request. Its check reads ``waiting`` while
NATS is down (degraded, for the reason above), and readiness fails with ``stuck`` when unsent
events have waited longer than ``outbox_stuck_seconds`` while NATS was connected and the relay
published nothing (:func:`~bianmin.kit.events.backlog.is_stuck`). Why fail then and not during an
outage: a connected NATS that takes none of this service's events is no outage that passes by
itself. The stream is gone and cannot be created again, a stream squats on its subjects, the
relay is wedged; the relay has already tried what it can (it recreates missing streams and
retries), so only an operator can help, and each write the service acknowledges meanwhile is one
more change the other services do not hear of (a credit color that bidding never learns). Readiness
is where orchestrators and operators look, and failing it stops new writes from piling onto a
backlog that does not move. A backlog that is going out (after an outage, a large one) moves, and
the count restarts at each reconnect, so neither makes the service unready.

A service that counts working days reports its calendar's coverage (``calendar``: the run of
years whose State Council notice is loaded) and, from 60 days before that run ends, a warning naming
the year to load (:func:`bianmin.kit.calendar.coverage_of`). The warning does not make the service
unready: deadlines in the missing year are still answered, marked provisional.

The clock is reported too: the skew from the gateway's clock that the identity tokens show
(``bianmin.kit.identity.ClockSkew``). Past half the leeway the answer says ``degraded`` (time to fix
the host's time sync); past the whole leeway every request is refused, so the service is not ready.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bianmin.kit.calendar import Coverage, coverage
from bianmin.kit.errors import PROBLEM_JSON
from bianmin.kit.workdays import local_date

router = APIRouter(tags=["health"])
PING_TIMEOUT_SECONDS = 2.0


@router.get("/healthz", summary="Liveness")
async def healthz() -> dict[str, str]:
    """The process is up and serving."""
    return {"status": "ok"}


class OutboxState(BaseModel):
    """The outbox backlog: events not yet in JetStream, and how long the oldest has waited."""

    pending: int
    oldest_pending_seconds: float | None = None


class Readiness(BaseModel):
    """A ready (or degraded but serving) process: each check's state, and the outbox backlog where events are on."""

    status: Literal["ready", "degraded"]
    checks: dict[str, str]
    outbox: OutboxState | None = None
    calendar: Coverage | None = None


@router.get("/readyz", summary="Readiness", response_model=None,
            responses={200: {"model": Readiness}, 503: {"description": "A dependency is down."}})
async def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers and has room, outbox events are not stuck and the clock is within the leeway."""
    checks: dict[str, str] = {}
    body: dict[str, Any] = {}
    try:
        await asyncio.wait_for(request.app.state.db.ping(), timeout=PING_TIMEOUT_SECONDS)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"down: {type(exc).__name__}"
    if checks["database"] == "ok":
        try:
            full = await asyncio.wait_for(request.app.state.db.storage.full(), timeout=PING_TIMEOUT_SECONDS)
            checks["storage"] = "full" if full else "ok"
        except Exception as exc:
            checks["storage"] = f"unknown: {type(exc).__name__}"
    bus = request.app.state.bus
    if bus is not None:
        checks["nats"] = "ok" if bus.connected else "down"
        try:
            backlog, checks["outbox"] = await asyncio.wait_for(bus.outbox_report(), timeout=PING_TIMEOUT_SECONDS)
            body["outbox"] = {"pending": backlog.pending,
                              "oldest_pending_seconds": backlog.oldest_seconds(datetime.now(UTC))}
        except Exception as exc:
            checks["outbox"] = f"unknown: {type(exc).__name__}"
    if request.app.state.service.calendar and checks["database"] == "ok":
        try:
            body["calendar"] = (await asyncio.wait_for(_calendar_coverage(request), timeout=PING_TIMEOUT_SECONDS)).model_dump()
        except Exception as exc:
            checks["calendar"] = f"unknown: {type(exc).__name__}"
    skew, leeway = request.app.state.clock_skew.seconds, request.app.state.settings.identity_leeway_seconds
    checks["clock"] = clock_check(skew, leeway)
    refusing = skew is not None and abs(skew) > leeway
    if checks["database"] == "ok" and checks.get("storage") != "full" and checks.get("outbox") != "stuck" and not refusing:
        status = "ready" if all(v == "ok" for v in checks.values()) else "degraded"
        return JSONResponse({"status": status, "checks": checks, **body})
    return JSONResponse({"type": "about:blank", "title": "Not ready", "status": 503, "code": "not_ready",
                         "checks": checks, **body}, status_code=503, media_type=PROBLEM_JSON)


async def _calendar_coverage(request: Request) -> Coverage:
    async with request.app.state.db.read_sessionmaker() as session:
        return await coverage(session, local_date(request.app.state.clock.now()))


def clock_check(skew: float | None, leeway: float) -> str:
    """``ok``, ``skewed`` (beyond half the leeway) or ``refusing`` (beyond it), naming the skew seen."""
    if skew is None or abs(skew) <= leeway / 2:
        return "ok"
    direction = "behind" if skew > 0 else "ahead of"
    state = "refusing tokens" if abs(skew) > leeway else "skewed"
    return f"{state}: about {abs(skew):.0f} s {direction} the gateway (leeway {leeway:.0f} s)"
