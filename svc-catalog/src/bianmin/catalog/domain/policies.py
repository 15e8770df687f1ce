"""Policy redemption (政策兑现): policies with an expected amount and period, redemptions per enterprise.

A redemption is for an enterprise named by its unified social credit code (check character
verified) and moves applied → approved → paid, or applied | approved → rejected. It can be
applied for only within the policy's period. The redeemed amount is the sum of paid redemptions.

Who (issue 19, 政务服务 受审分离): an acceptor of the policy's department or the enterprise itself
(for a credit code its account was bound to) records a redemption; an approver of that department,
signed in with a second factor, approves, pays or rejects it, and never one they recorded
(``separation_of_duties``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.errors import (
    PolicyClosed,
    PolicyExists,
    PolicyNotFound,
    RedemptionNotFound,
    RedemptionTransitionForbidden,
    SeparationOfDuties,
)
from bianmin.catalog.domain.people import actor, holds_for_department
from bianmin.catalog.models import Department, Policy, Redemption
from bianmin.catalog.schemas import PolicyCreate, RedemptionCreate
from bianmin.kit import subjects
from bianmin.kit.errors import Forbidden, RoleMissing, SecondFactorRequired, Unprocessable
from bianmin.kit.identity import Principal
from bianmin.kit.workdays import local_date

TRANSITIONS = {"applied": {"approved", "rejected"}, "approved": {"paid", "rejected"}, "paid": set(), "rejected": set()}


async def create_policy(session: AsyncSession, data: PolicyCreate, *, now: datetime) -> Policy:
    """Add a policy; 422 for an unknown department or a period that ends before it starts."""
    if data.period_end < data.period_start:
        raise Unprocessable.field("period_end", "must not be before period_start")
    if await session.get(Department, data.department_code) is None:
        raise Unprocessable.field("department_code", f"no department {data.department_code}")
    if await session.get(Policy, data.code) is not None:
        raise PolicyExists(f"Policy {data.code} exists already.")
    policy = Policy(**data.model_dump(), created_at=now)
    session.add(policy)
    await session.flush()
    return policy


async def list_policies(session: AsyncSession) -> list[Policy]:
    """Every policy, newest period first."""
    return list((await session.execute(select(Policy).order_by(Policy.period_start.desc(), Policy.code))).scalars())


async def get_policy(session: AsyncSession, code: str) -> Policy:
    """The policy with this code, or 404."""
    policy = await session.get(Policy, code)
    if policy is None:
        raise PolicyNotFound(f"No policy {code}.")
    return policy


class NotThisEnterprise(Forbidden):
    """An enterprise applies for itself only: for a credit code its account was bound to after proof."""

    code = "not_this_enterprise"


async def redeem(session: AsyncSession, policy: Policy, data: RedemptionCreate, *, who: Principal,
                 now: datetime) -> Redemption:
    """Apply for a redemption within the policy's period (the body's credit code is checked when it is read)."""
    if who.is_a(subjects.ENTERPRISE) and data.credit_code not in who.parties("bidding:bidder"):
        raise NotThisEnterprise(f"This account does not hold the enterprise {data.credit_code}.")
    if who.is_a(subjects.STAFF) and not holds_for_department(who, "acceptor", policy.department_code):
        raise RoleMissing(f"Recording a redemption needs the role acceptor for department {policy.department_code}.")
    if not policy.period_start <= local_date(now) <= policy.period_end:
        raise PolicyClosed(f"Policy {policy.code} is not open today.")
    redemption = Redemption(policy_code=policy.code, credit_code=data.credit_code,
                            enterprise_name=data.enterprise_name, amount=data.amount, status="applied",
                            recorded_by=actor(who), created_at=now, updated_at=now)
    session.add(redemption)
    await session.flush()
    return redemption


async def change_redemption(session: AsyncSession, redemption_id: int, target: str, *, who: Principal,
                            now: datetime) -> Redemption:
    """Approve, pay or reject a redemption (its department's approver, never its recorder); 409 when its status forbids it."""
    redemption = await session.get(Redemption, redemption_id)
    if redemption is None:
        raise RedemptionNotFound(f"No redemption {redemption_id}.")
    if target not in TRANSITIONS[redemption.status]:
        raise RedemptionTransitionForbidden(f"A redemption that is {redemption.status} cannot become {target}.")
    department = (await get_policy(session, redemption.policy_code)).department_code
    if not holds_for_department(who, "approver", department):
        raise RoleMissing(f"Deciding a redemption needs the role approver for department {department}.")
    assert who.subject is not None  # holds_for_department holds for subjects only
    if not who.subject.second_factor:
        raise SecondFactorRequired("Deciding a redemption needs a sign-in with a second factor (TOTP).")
    if redemption.recorded_by == actor(who):
        raise SeparationOfDuties("Whoever recorded a redemption may not decide it.")
    redemption.status = target
    redemption.updated_at = now
    await session.flush()
    return redemption


async def redemptions_of(session: AsyncSession, policy: Policy) -> list[Redemption]:
    """The redemptions of a policy, oldest first."""
    return list((await session.execute(select(Redemption).where(Redemption.policy_code == policy.code)
                                       .order_by(Redemption.id))).scalars())
