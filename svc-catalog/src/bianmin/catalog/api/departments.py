"""Departments (窗口单位): listed publicly, maintained by district catalog administrators."""

from __future__ import annotations

from fastapi import APIRouter, Response

from bianmin.catalog.api.deps import ADMIN, DISTRICT, EVERYONE, OPERATORS
from bianmin.catalog.domain import sites
from bianmin.catalog.schemas import DepartmentCreate, DepartmentRead
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.identity import public

router = APIRouter(tags=["departments"])


@router.get("/departments", summary="List departments", **public(), dependencies=[EVERYONE])
async def list_departments(session: ReadSessionDep) -> list[DepartmentRead]:
    """Every department, in code order (a short list: a district has a few dozen)."""
    return [DepartmentRead.model_validate(d) for d in await sites.departments(session)]


@router.put("/departments/{code}", summary="Add or rename a department", dependencies=[ADMIN, DISTRICT, OPERATORS],
            responses={201: {"model": DepartmentRead, "description": "Created"}, **problem_responses(401, 403, 422)})
async def put_department(code: str, body: DepartmentCreate, session: SessionDep, clock: ClockDep,
                         response: Response) -> DepartmentRead:
    """Create the department or rename it (idempotent by its code); 201 when new."""
    if body.code != code:
        raise Unprocessable.field("code", "must equal the code in the path")
    department, created = await sites.upsert_department(session, code, body.name, now=clock.now())
    view = DepartmentRead.model_validate(department)
    await session.commit()
    response.status_code = 201 if created else 200
    return view
