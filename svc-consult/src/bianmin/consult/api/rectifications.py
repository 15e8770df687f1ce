"""Rectification cases opened by bad ratings: the department contacts the asker and fixes the cause."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.consult.api.deps import IdPath, StaffDep
from bianmin.consult.domain import followup
from bianmin.consult.schemas import FixBody, RectificationRead
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses

router = APIRouter(tags=["rectifications"])


@router.get("/rectifications", summary="Rectification cases", responses=problem_responses(401, 403, 422))
async def list_cases(session: ReadSessionDep, staff: StaffDep,
                     status: Annotated[str | None, Query(pattern="^(open|contacted|fixed|closed)$")] = None,
                     ) -> list[RectificationRead]:
    """The cases of the caller's departments (all for administrators), oldest first."""
    return [RectificationRead.model_validate(c) for c in await followup.list_cases(session, staff, status=status)]


@router.post("/rectifications/{case_id}/contact", summary="The asker was contacted",
             responses=problem_responses(401, 403, 404, 409))
async def contact(case_id: IdPath, session: SessionDep, staff: StaffDep, clock: ClockDep) -> RectificationRead:
    """Record that the department contacted the asker (due within one working day by default)."""
    case = await followup.contact(session, await followup.get_case(session, case_id, staff), now=clock.now())
    await session.commit()
    return RectificationRead.model_validate(case)


@router.post("/rectifications/{case_id}/fix", summary="The cause was fixed",
             responses=problem_responses(401, 403, 404, 409, 422))
async def fix(case_id: IdPath, body: FixBody, session: SessionDep, staff: StaffDep, clock: ClockDep) -> RectificationRead:
    """Record the fix; the asker may then rate again (追评)."""
    case = await followup.fix(session, await followup.get_case(session, case_id, staff), note=body.note,
                              now=clock.now())
    await session.commit()
    return RectificationRead.model_validate(case)
