"""Policy redemption (政策兑现): policies, redemptions per enterprise, and their figures."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.catalog.api.deps import ADMIN, DISTRICT, EVERYONE, OPERATORS, READ, WRITE
from bianmin.catalog.domain import policies as domain
from bianmin.catalog.domain.stats import policy_figures
from bianmin.catalog.schemas import (
    PolicyCreate,
    PolicyRead,
    PolicyStats,
    RedemptionCreate,
    RedemptionRead,
    RedemptionStatusChange,
)
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, public
from bianmin.kit.paths import RowId
from bianmin.kit.policy import app, enterprise, operator, policy, staff, supervisor

router = APIRouter(tags=["policies"])


@router.get("/policies", summary="List policies", **public(), dependencies=[EVERYONE])
async def list_policies(session: ReadSessionDep) -> list[PolicyRead]:
    """Every policy, newest period first (policies are public information)."""
    return [PolicyRead.model_validate(p) for p in await domain.list_policies(session)]


@router.post("/policies", status_code=201, summary="Add a policy", dependencies=[ADMIN, DISTRICT, OPERATORS],
             responses=problem_responses(401, 403, 409, 422))
async def create_policy(body: PolicyCreate, session: SessionDep, clock: ClockDep,
                        idem: IdempotencyDep) -> PolicyRead:
    """Add a policy with its department, expected amount and period."""
    policy = await domain.create_policy(session, body, now=clock.now())
    return await idem.finish(session, PolicyRead.model_validate(policy))


@router.post("/policies/{code}/redemptions", status_code=201, summary="Apply for a redemption",
             dependencies=[WRITE, DISTRICT, policy(staff("acceptor"), enterprise(), app())],
             responses=problem_responses(401, 403, 404, 409, 422))
async def redeem(code: str, body: RedemptionCreate, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                 idem: IdempotencyDep) -> RedemptionRead:
    """Record an enterprise's redemption of a policy (credit code check character verified)."""
    redemption = await domain.redeem(session, await domain.get_policy(session, code), body, who=who, now=clock.now())
    return await idem.finish(session, RedemptionRead.model_validate(redemption))


@router.get("/policies/{code}/redemptions", summary="A policy's redemptions",
            dependencies=[READ, policy(staff("acceptor", "approver"), supervisor(), operator(), app())],
            responses=problem_responses(401, 403, 404))
async def list_redemptions(code: str, session: ReadSessionDep) -> list[RedemptionRead]:
    """The redemptions of a policy, oldest first."""
    policy = await domain.get_policy(session, code)
    return [RedemptionRead.model_validate(r) for r in await domain.redemptions_of(session, policy)]


@router.post("/redemptions/{redemption_id}/status", summary="Approve, pay or reject a redemption",
             dependencies=[WRITE, DISTRICT, policy(staff("approver", second_factor=True))],
             responses=problem_responses(401, 403, 404, 409, 422))
async def change_redemption(redemption_id: RowId, body: RedemptionStatusChange, session: SessionDep,
                            who: PrincipalDep, clock: ClockDep) -> RedemptionRead:
    """Move a redemption on: applied → approved → paid, or rejected; 409 otherwise; never by its recorder."""
    redemption = await domain.change_redemption(session, redemption_id, body.status, who=who, now=clock.now())
    view = RedemptionRead.model_validate(redemption)
    await session.commit()
    return view


@router.get("/stats/policies", summary="Policy redemption figures",
            dependencies=[READ, policy(staff(), supervisor(), operator(), app())],
            responses=problem_responses(401, 403, 422))
async def policy_stats(
    session: ReadSessionDep,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
) -> PolicyStats:
    """Expected and redeemed amounts and the completion rate of the policies of a period."""
    if start and end and end < start:
        raise Unprocessable.field("to", "must not be before from")
    return PolicyStats.model_validate(await policy_figures(session, start=start, end=end))
