"""The asker's routes: everything is reached through the access code handed out at submission.

The code sits in the path (``/consultations/track/{code}``); these routes are public, because the
asker may have asked anonymously through a kiosk or a third-party app, and show only the asker's
own question, its status, the exchanges and the answer — never staff notes or other questions.
A question a citizen asked signed in is followed and rated by that citizen only, and no staff member
rates an answer (:func:`~bianmin.consult.api.deps.ensure_asker`, 国办发〔2019〕51号).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from bianmin.consult.api import views
from bianmin.consult.api.deps import ANYONE, PolicyDep, ensure_asker
from bianmin.consult.domain import consultations as domain
from bianmin.consult.domain import followup
from bianmin.consult.domain.access import asker_of
from bianmin.consult.schemas import AskerView, ConsultationRead, MessageBody, RatingBody, ReasonBody
from bianmin.kit.calendar import load_calendar
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import PrincipalDep, public
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.policy import citizen, policy

router = APIRouter(tags=["askers"])
Code = Annotated[str, Path(max_length=100, description="The access code shown when the question was asked.")]


@router.get("/consultations/mine", summary="My questions", dependencies=[policy(citizen())],
            responses=problem_responses(401, 403, 422))
async def mine(session: ReadSessionDep, who: PrincipalDep, page: PageDep) -> Page[ConsultationRead]:
    """The questions the signed-in citizen asked, newest first (contact data masked like every list)."""
    asker = asker_of(who)
    assert asker is not None  # the policy admits citizens only
    rows, cursor = await domain.list_for_asker(session, asker, page)
    return Page[ConsultationRead](items=[views.consultation_read(r) for r in rows], next_cursor=cursor)


@router.get("/consultations/track/{code}", summary="Follow my question", dependencies=[ANYONE], **public(),
            responses=problem_responses(404))
async def track(code: Code, session: ReadSessionDep, policy: PolicyDep, who: PrincipalDep) -> AskerView:
    """The asker's own question, its status, the exchanges and the answer."""
    consultation = await domain.get_by_code(session, code, for_update=False)
    ensure_asker(who, consultation)
    return views.asker_view(await domain.for_asker(session, consultation, policy=policy))


@router.post("/consultations/track/{code}/replies", summary="Reply or add information", dependencies=[ANYONE], **public(),
             responses=problem_responses(404, 409, 422))
async def reply(code: Code, body: MessageBody, session: SessionDep, clock: ClockDep, policy: PolicyDep,
                who: PrincipalDep) -> AskerView:
    """Add information; a question waiting for the asker resumes and its deadline moves."""
    consultation = await domain.get_by_code(session, code)
    ensure_asker(who, consultation)
    await domain.asker_reply(session, consultation, message=body.message, now=clock.now(),
                             calendar=await load_calendar(session))
    await session.commit()
    return views.asker_view(await domain.for_asker(session, consultation, policy=policy))


@router.post("/consultations/track/{code}/reopen", summary="Reopen my question", dependencies=[ANYONE], **public(),
             responses=problem_responses(404, 409, 422))
async def reopen(code: Code, body: ReasonBody, session: SessionDep, clock: ClockDep, policy: PolicyDep,
                 who: PrincipalDep) -> AskerView:
    """Reopen an answered question within the window; it goes back to the department with a new deadline."""
    consultation = await domain.get_by_code(session, code)
    ensure_asker(who, consultation)
    await domain.reopen(session, consultation, reason=body.reason, now=clock.now(),
                        calendar=await load_calendar(session), policy=policy)
    await session.commit()
    return views.asker_view(await domain.for_asker(session, consultation, policy=policy))


@router.post("/consultations/track/{code}/rating", summary="Rate the answer", dependencies=[ANYONE], **public(),
             responses=problem_responses(404, 409, 422))
async def rate(code: Code, body: RatingBody, session: SessionDep, clock: ClockDep, policy: PolicyDep,
               who: PrincipalDep) -> AskerView:
    """Rate the answer; a bad rating opens a rectification case, and after its fix the asker rates again."""
    consultation = await domain.get_by_code(session, code)
    ensure_asker(who, consultation)
    await followup.rate(session, consultation, level=body.level, comment=body.comment, now=clock.now(),
                        calendar=await load_calendar(session), policy=policy)
    await session.commit()
    return views.asker_view(await domain.for_asker(session, consultation, policy=policy))
