"""Departments and keyword routing rules: public to read the departments, administrators to edit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from bianmin.consult.api.deps import ANYONE, require_admin
from bianmin.consult.domain import routing
from bianmin.consult.schemas import DepartmentPut, DepartmentRead, RuleCreate, RuleRead, RuleUpdate
from bianmin.consult.schemas.common import DEPARTMENT_PATTERN
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import district_only, public
from bianmin.kit.paths import RowId

router = APIRouter(tags=["routing"])
Code = Annotated[str, Path(pattern=DEPARTMENT_PATTERN)]
# Departments and routing rules are the district's: a township's consult:admin (or admin) keeps its own
# sites' questions, but does not redraw where the whole district's questions go.
ADMIN = Depends(require_admin)
DISTRICT_ADMIN = [ADMIN, district_only()]


@router.get("/departments", summary="Departments that answer questions", dependencies=[ANYONE], **public())
async def list_departments(session: ReadSessionDep) -> list[DepartmentRead]:
    """Every department an asker may choose, with its supervisor."""
    return [DepartmentRead.model_validate(d) for d in await routing.list_departments(session)]


@router.put("/departments/{code}", dependencies=DISTRICT_ADMIN, summary="Create or replace a department",
            responses=problem_responses(401, 403, 422))
async def put_department(code: Code, body: DepartmentPut, session: SessionDep,
                         clock: ClockDep) -> DepartmentRead:
    """Register a department and its supervising department (administrators)."""
    department = await routing.put_department(session, code=code, name=body.name,
                                              supervisor_code=body.supervisor_code, active=body.active,
                                              now=clock.now())
    await session.commit()
    return DepartmentRead.model_validate(department)


@router.get("/routing-rules", dependencies=[ADMIN], summary="Keyword routing rules",
            responses=problem_responses(401, 403))
async def list_rules(session: ReadSessionDep) -> list[RuleRead]:
    """Every keyword rule, strongest first."""
    return [RuleRead.model_validate(r) for r in await routing.list_rules(session)]


@router.post("/routing-rules", dependencies=DISTRICT_ADMIN, status_code=201, summary="Add a keyword rule",
             responses=problem_responses(401, 403, 422))
async def create_rule(body: RuleCreate, session: SessionDep, idem: IdempotencyDep,
                      clock: ClockDep) -> RuleRead:
    """Send questions that mention a keyword to a department."""
    rule = await routing.create_rule(session, keyword=body.keyword, department_code=body.department_code,
                                     priority=body.priority, active=body.active, now=clock.now())
    return await idem.finish(session, RuleRead.model_validate(rule))


@router.patch("/routing-rules/{rule_id}", dependencies=DISTRICT_ADMIN, summary="Change a keyword rule",
              responses=problem_responses(401, 403, 404, 422))
async def update_rule(rule_id: RowId, body: RuleUpdate, session: SessionDep,
                      clock: ClockDep) -> RuleRead:
    """Change a rule's keyword, department, priority or activity."""
    changes = body.model_dump(exclude_unset=True)
    for name, value in changes.items():
        if value is None:
            raise Unprocessable.field(name, "may not be null")
    rule = await routing.update_rule(session, await routing.get_rule(session, rule_id), changes=changes,
                                     now=clock.now())
    await session.commit()
    return RuleRead.model_validate(rule)


@router.delete("/routing-rules/{rule_id}", dependencies=DISTRICT_ADMIN, status_code=204, summary="Delete a keyword rule",
               responses=problem_responses(401, 403, 404))
async def delete_rule(rule_id: RowId, session: SessionDep) -> None:
    """Remove a rule; questions already routed keep their department."""
    await routing.delete_rule(session, await routing.get_rule(session, rule_id))
    await session.commit()
