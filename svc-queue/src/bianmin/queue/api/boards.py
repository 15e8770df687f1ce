"""Display boards, the server-sent call stream, live figures of a hall (public) and history.

The stream serves the hall's call log in order: each event's ``id:`` is the hall's call sequence
number, so a board that reconnects with ``Last-Event-ID`` (or ``?after=``) gets every call it
missed. Without either it starts after the current last call (a board loads ``/board`` first).
Calls committed in this process wake the stream at once; calls made by another replica wake it
through the process's watcher, which polls the halls' call sequence every ``stream_poll_seconds``
(one query for all streams, see :mod:`bianmin.queue.domain.notify`). The stream reads the call log
only when woken, and sends a comment heartbeat every ``stream_heartbeat_seconds`` so proxies keep
the connection open.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep
from bianmin.kit.errors import ScopeMissing, Unprocessable, problem_responses
from bianmin.kit.identity import PrincipalDep, public
from bianmin.kit.paths import MAX_ROW_ID
from bianmin.kit.policy import app, operator, policy, staff, supervisor
from bianmin.kit.stats import PeriodDep
from bianmin.kit.waits import until_set
from bianmin.queue.api.deps import ANYONE, HALL_STAFF, NotifierDep, SettingsDep, hall_for
from bianmin.queue.api.views import board_view, call_view
from bianmin.queue.domain import flow, halls, stats
from bianmin.queue.domain.notify import CallNotifier
from bianmin.queue.schemas import BoardRead, HistoryRead, LiveStats

router = APIRouter(tags=["boards"])
BATCH = 100


@router.get("/halls/{code}/board", summary="Display board", responses=problem_responses(401, 404), dependencies=[ANYONE], **public())
async def board(code: str, session: ReadSessionDep, clock: ClockDep) -> BoardRead:
    """Each counter's current call and the last calls of a hall, names masked."""
    return board_view(await flow.board(session, await halls.get_hall(session, code), clock.now()))


@router.get("/halls/{code}/stats", summary="Live figures of a hall", responses=problem_responses(401, 404),
            dependencies=[ANYONE], **public())
async def live_stats(code: str, session: ReadSessionDep, clock: ClockDep) -> LiveStats:
    """Waiting per line, longest wait, open counters and today's throughput, right now."""
    return LiveStats.model_validate(await flow.live(session, await halls.get_hall(session, code), clock.now()))


def _last_id(header: str | None, after: int | None) -> int | None:
    if header is None:
        return after
    if not (header.isascii() and header.isdigit()) or int(header) > MAX_ROW_ID:
        raise Unprocessable.field("Last-Event-ID", "must be a call sequence number this stream sent")
    return int(header)


@router.get("/halls/{code}/stream", summary="Call stream for display boards (server-sent events)",
            response_class=StreamingResponse, responses={**problem_responses(401, 404, 422),
                                                         200: {"content": {"text/event-stream": {}}}}, dependencies=[ANYONE], **public())
async def stream(code: str, request: Request, settings: SettingsDep, notifier: NotifierDep,
                 last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
                 after: Annotated[int | None, Query(ge=0, le=MAX_ROW_ID, description="Resume after this call sequence number.")] = None,
                 ) -> StreamingResponse:
    """Every call of a hall as it happens, with its announcement text, resumable with Last-Event-ID."""
    start = _last_id(last_event_id, after)
    # The stream outlives the request's session: it reads through sessions of its own, read-only ones,
    # so a board waiting for calls never queues behind (or holds) the write lock.
    async with request.app.state.db.read_sessionmaker() as session:
        hall = await halls.get_hall(session, code)
        if start is None:
            start = hall.call_seq
    return StreamingResponse(_events(request, code, start, settings.stream_poll_seconds,
                                     settings.stream_heartbeat_seconds, notifier),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _events(request: Request, code: str, last: int, poll: float, heartbeat: float,
                  notifier: CallNotifier) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    next_beat = loop.time() + heartbeat
    yield "retry: 2000\n\n"
    with notifier.streaming(code):
        while True:
            waiter = notifier.waiter(code)
            async with request.app.state.db.read_sessionmaker() as session:
                rows = [call_view(entry) for entry in await flow.calls_after(session, code, last, BATCH)]
            for view in rows:
                last = view.seq
                yield f"id: {last}\nevent: call\ndata: {json.dumps(view.model_dump(), ensure_ascii=False)}\n\n"
            if len(rows) == BATCH:
                continue
            # Woken by a call of this process, by the watcher's poll (other replicas), or to check the client.
            while not waiter.is_set():
                if await request.is_disconnected():
                    return
                await until_set(waiter, max(0.01, min(poll, next_beat - loop.time())))
                if loop.time() >= next_beat:
                    next_beat = loop.time() + heartbeat
                    yield ": heartbeat\n\n"


@router.get("/stats", summary="History of the halls", responses=problem_responses(401, 403, 404, 422),
            dependencies=[policy(staff(*HALL_STAFF, "cockpit_viewer"), supervisor(), operator(), app())])
async def history(who: PrincipalDep, session: ReadSessionDep, period: PeriodDep,
                  hall: Annotated[str | None, Query(description="One hall; default: every hall the key may see.")] = None,
                  ) -> HistoryRead:
    """Tickets per hour, mean and p90 wait and service time, no-show rate and satisfaction over a period."""
    if not (who.has_scope("queue:read") or who.has_scope("cockpit:read")):
        raise ScopeMissing("This key lacks the scope queue:read.")
    if hall is not None:
        await hall_for(session, who, hall, (*HALL_STAFF, "cockpit_viewer"))
        scope: list[str] | None = [hall]
    else:
        scope = await stats.visible_halls(session, who)
    figures = await flow.history(session, start=period.start, end=period.end, halls=scope)
    return HistoryRead(from_date=period.start, to_date=period.end, halls=scope, **figures.__dict__,
                       definitions=(flow.__doc__ or "").strip())
