"""The remote opening: start, sign-in, reveal, finish, the record, its live stream and responses.

The live stream (``GET /v1/projects/{code}/opening/stream``) is server-sent events of the stored,
numbered opening record: each event's ``id`` is the entry's number, so a client that reconnects
with ``Last-Event-ID`` gets exactly the entries it missed. The stream ends once the opening is over
and every entry has been sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import StreamingResponse

from bianmin.bidding.api.deps import AGENT, BID, BIDDER, EVERYONE, WRITE, SettingsDep, managed
from bianmin.bidding.api.views import bid_view
from bianmin.bidding.domain import opening
from bianmin.bidding.domain.common import actor_of, get_visible
from bianmin.bidding.models import OpeningRecord, Project
from bianmin.bidding.schemas import (
    BidRead,
    OpeningEntry,
    OpeningRow,
    ProjectRead,
    ResponseAnswer,
    ResponseCreate,
    ResponseRead,
    RevealRequest,
    SignInRequest,
)
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, public, require_scopes
from bianmin.kit.paths import RowId

router = APIRouter(tags=["opening"])
POLL_SECONDS = 0.5
HEARTBEAT_POLLS = 30


@router.post("/projects/{code}/opening/start", summary="Start the remote opening", dependencies=[require_scopes(WRITE), AGENT],
             responses=problem_responses(401, 403, 404, 409))
async def start_opening(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                        settings: SettingsDep) -> ProjectRead:
    """Start the opening at its time; the decryption window opens."""
    project = await managed(session, code, who)
    await opening.start(session, project, now=clock.now(), actor=actor_of(who), settings=settings)
    await session.commit()
    return ProjectRead.model_validate(project)


@router.post("/projects/{code}/opening/sign-in", summary="Sign in to the opening", dependencies=[require_scopes(BID), BIDDER],
             responses=problem_responses(401, 403, 404, 409, 422))
async def sign_in(code: str, body: SignInRequest, session: SessionDep, who: PrincipalDep,
                  clock: ClockDep) -> dict[str, str]:
    """A bidder signs in to the remote opening."""
    project = await get_visible(session, code, who)
    await opening.sign_in(session, project, credit_code=body.credit_code, now=clock.now(), by=who)
    await session.commit()
    return {"status": "signed_in"}


@router.post("/projects/{code}/bids/{bid_id}/reveal", summary="Reveal a bid's key", dependencies=[require_scopes(BID), BIDDER],
             responses=problem_responses(401, 403, 404, 409, 422))
async def reveal(code: str, bid_id: str, body: RevealRequest, session: SessionDep, who: PrincipalDep,
                 clock: ClockDep, settings: SettingsDep) -> BidRead:
    """Decrypt a bid with its revealed key within the window and check its commitment."""
    project = await get_visible(session, code, who)
    bid = await opening.get_bid(session, project, bid_id)
    await opening.reveal(session, project, bid, data_key=body.data_key, salt=body.salt, now=clock.now(), by=who,
                         settings=settings)
    await session.commit()
    return bid_view(project, bid, opened=True)


@router.post("/projects/{code}/opening/finish", summary="Finish the opening", dependencies=[require_scopes(WRITE), AGENT],
             responses=problem_responses(401, 403, 404, 409))
async def finish_opening(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                         settings: SettingsDep) -> ProjectRead:
    """Void unrevealed bids, judge validity, screen for collusion and publish the record."""
    project = await managed(session, code, who)
    await opening.finish(session, project, now=clock.now(), actor=actor_of(who), settings=settings)
    await session.commit()
    return ProjectRead.model_validate(project)


async def _opened(session: ReadSessionDep, code: str, who: PrincipalDep) -> Project:
    project = await get_visible(session, code, who)
    opening.ensure_opened(project)
    return project


@router.get("/projects/{code}/opening", dependencies=[EVERYONE], summary="The opening record",
            responses=problem_responses(404, 409), **public())
async def opening_record(code: str, session: ReadSessionDep, who: PrincipalDep) -> list[OpeningRow]:
    """The published opening record: bidder, price, duration, deposit and validity."""
    project = await _opened(session, code, who)
    return [OpeningRow.model_validate(row) for row in await opening.record_rows(session, project)]


@router.get("/projects/{code}/bids", dependencies=[EVERYONE], summary="The opened bids with validity and rank",
            responses=problem_responses(404, 409),
            **public())
async def opened_bids(code: str, session: ReadSessionDep, who: PrincipalDep) -> list[BidRead]:
    """The counted bids of an opened tender with their content, validity, scores and rank."""
    project = await _opened(session, code, who)
    return [bid_view(project, b, opened=True) for b in await opening.opened_bids(session, project)]


def _sse(entry: OpeningRecord) -> str:
    payload = OpeningEntry(seq=entry.seq, kind=entry.kind, data=entry.data, at=entry.at).model_dump_json()
    return f"id: {entry.seq}\nevent: {entry.kind}\ndata: {payload}\n\n"


@router.get("/projects/{code}/opening/stream", dependencies=[EVERYONE], summary="Follow the opening live (server-sent events)",
            response_class=StreamingResponse,
            responses={**problem_responses(401, 404, 409, 422), 200: {"content": {"text/event-stream": {}}}})
async def opening_stream(code: str, request: Request, session: ReadSessionDep, who: PrincipalDep,
                         last_event_id: Annotated[str | None, Header(max_length=20)] = None) -> StreamingResponse:
    """The numbered opening record as it grows; resume with ``Last-Event-ID``."""
    project = await _opened(session, code, who)
    try:
        after = int(last_event_id) if last_event_id else 0
    except ValueError as exc:
        raise Unprocessable.field("Last-Event-ID", "must be an entry number") from exc
    project_id = project.id
    await session.close()
    # Each poll only reads, so it takes a read-only session: a long stream never queues behind writers.
    sessionmaker = request.app.state.db.read_sessionmaker

    async def events() -> AsyncIterator[str]:
        seen, idle = after, 0
        while True:
            async with sessionmaker() as poll:
                entries, status = await opening.entries_after(poll, project_id, seen)
            for entry in entries:
                seen = entry.seq
                yield _sse(entry)
            if status != "opening" and not entries:
                yield "event: end\ndata: {}\n\n"
                return
            idle = 0 if entries else idle + 1
            if idle >= HEARTBEAT_POLLS:
                idle = 0
                yield ": keep-alive\n\n"
            if await request.is_disconnected():
                return
            await asyncio.sleep(POLL_SECONDS)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.post("/projects/{code}/responses", status_code=201, summary="Confirm the record or object",
             dependencies=[require_scopes(BID), BIDDER], responses=problem_responses(401, 403, 404, 409, 422))
async def respond(code: str, body: ResponseCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                  clock: ClockDep, settings: SettingsDep) -> ResponseRead:
    """Confirm the opening record or raise an objection within the window (or object during publicity)."""
    project = await get_visible(session, code, who)
    row = await opening.respond(session, project, credit_code=body.credit_code, kind=body.kind, text=body.text,
                                now=clock.now(), by=who, settings=settings)
    return await idem.finish(session, ResponseRead.model_validate(row))


@router.get("/projects/{code}/responses", dependencies=[EVERYONE], summary="Confirmations and objections",
            responses=problem_responses(404, 409),
            **public())
async def list_responses(code: str, session: ReadSessionDep, who: PrincipalDep) -> list[ResponseRead]:
    """Every confirmation and objection of a tender with its answer."""
    project = await _opened(session, code, who)
    return [ResponseRead.model_validate(r) for r in await opening.responses_of(session, project)]


@router.post("/projects/{code}/responses/{response_id}/answer", summary="Answer an objection",
             dependencies=[require_scopes(WRITE), AGENT], responses=problem_responses(401, 403, 404, 409, 422))
async def answer(code: str, response_id: RowId, body: ResponseAnswer,
                 session: SessionDep, who: PrincipalDep,
                 clock: ClockDep) -> ResponseRead:
    """Answer an objection; the answer is recorded with it."""
    project = await managed(session, code, who)
    row = await opening.answer(session, project, response_id, text=body.answer, now=clock.now(), actor=actor_of(who))
    await session.commit()
    return ResponseRead.model_validate(row)
