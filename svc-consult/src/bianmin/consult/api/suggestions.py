"""The electronic suggestion box: public submission and tracking, department handling.

The department's staff (``consult_agent`` subjects of the entry's department, or its keys) handle an
entry; lists and answers mask the submitter's contact, reading one entry shows it and is logged
(个人信息保护法 §51).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from bianmin.consult.api import views
from bianmin.consult.api.deps import ANYONE, IdPath, PolicyDep, StaffDep
from bianmin.consult.domain import suggestions as domain
from bianmin.consult.domain.access import asking_site
from bianmin.consult.schemas import (
    ReplyBody,
    SuggestionCreate,
    SuggestionDetail,
    SuggestionRead,
    SuggestionReceipt,
    SuggestionTrack,
)
from bianmin.kit.access_log import record_access
from bianmin.kit.calendar import load_calendar
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, public
from bianmin.kit.pagination import Page, PageDep

router = APIRouter(tags=["suggestion box"])
Code = Annotated[str, Path(max_length=100)]


@router.post("/suggestions", status_code=201, summary="Drop a suggestion, complaint or praise", dependencies=[ANYONE], **public(),
             responses=problem_responses(403, 422))
async def create_suggestion(body: SuggestionCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                            clock: ClockDep, policy: PolicyDep) -> SuggestionReceipt:
    """Record an entry for a department; the tracking code in the answer is shown only this once."""
    tenant = await asking_site(session, who, body.site_code, district_site=policy.district_site)
    entry, code = await domain.create(session, data=body, tenant=tenant, now=clock.now(),
                                      calendar=await load_calendar(session), policy=policy)
    return await idem.finish(session, views.suggestion_receipt(entry, code))


@router.get("/suggestions/track/{code}", summary="Follow an entry", dependencies=[ANYONE], **public(), responses=problem_responses(404))
async def track(code: Code, session: ReadSessionDep) -> SuggestionTrack:
    """The status and the reply of the entry the code belongs to, and nothing else."""
    return views.suggestion_track(await domain.by_tracking_code(session, code))


@router.get("/suggestions", summary="The department's suggestion box", responses=problem_responses(401, 403, 422))
async def list_suggestions(session: ReadSessionDep, staff: StaffDep, page: PageDep,
                           status: Annotated[str | None, Query(pattern="^(received|handling|replied|closed)$")] = None,
                           kind: Annotated[str | None, Query(pattern="^(suggestion|complaint|praise)$")] = None,
                           ) -> Page[SuggestionRead]:
    """Entries this key may see, newest first."""
    rows, cursor = await domain.list_for_staff(session, staff, page, status=status, kind=kind)
    return Page[SuggestionRead](items=[views.suggestion_read(r) for r in rows], next_cursor=cursor)


@router.get("/suggestions/{entry_id}", summary="One entry", responses=problem_responses(401, 403, 404))
async def get_suggestion(entry_id: IdPath, session: SessionDep, staff: StaffDep, clock: ClockDep) -> SuggestionDetail:
    """An entry of the caller's department, with the escalation steps it reached and the contact (logged when shown)."""
    entry = await domain.get_for_staff(session, entry_id, staff)
    view = views.suggestion_detail(entry, await domain.escalations(session, entry), unmasked=True)
    shown = views.shown_contacts(entry)
    if shown:
        await record_access(session, staff.principal, at=clock.now(), action="GET /suggestions/{id}",
                            resource=f"suggestion/{entry.id}", fields=shown, purpose="handle the entry",
                            site=entry.tenant)
        await session.commit()
    return view


@router.post("/suggestions/{entry_id}/accept", summary="Take an entry up",
             responses=problem_responses(401, 403, 404, 409))
async def accept(entry_id: IdPath, session: SessionDep, staff: StaffDep) -> SuggestionRead:
    """Mark the entry as being handled."""
    entry = await domain.accept(session, await domain.get_for_staff(session, entry_id, staff))
    await session.commit()
    return views.suggestion_read(entry)


@router.post("/suggestions/{entry_id}/reply", summary="Reply to an entry",
             responses=problem_responses(401, 403, 404, 409, 422))
async def reply(entry_id: IdPath, body: ReplyBody, session: SessionDep, staff: StaffDep, clock: ClockDep) -> SuggestionRead:
    """Reply; the submitter sees the reply through the tracking code."""
    entry = await domain.reply(session, await domain.get_for_staff(session, entry_id, staff), text=body.reply,
                               staff=staff, now=clock.now())
    await session.commit()
    return views.suggestion_read(entry)


@router.post("/suggestions/{entry_id}/close", summary="Close an entry",
             responses=problem_responses(401, 403, 404, 409))
async def close(entry_id: IdPath, session: SessionDep, staff: StaffDep, clock: ClockDep) -> SuggestionRead:
    """Close a replied entry."""
    entry = await domain.close(session, await domain.get_for_staff(session, entry_id, staff), now=clock.now())
    await session.commit()
    return views.suggestion_read(entry)
