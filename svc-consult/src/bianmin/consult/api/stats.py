"""``GET /v1/stats``: the consult figures for a period and a department, and the cockpit's overview."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.consult.api.deps import PolicyDep
from bianmin.consult.domain import stats
from bianmin.consult.domain.access import staff_of
from bianmin.consult.domain.deadlines import Policy
from bianmin.consult.domain.errors import DepartmentMismatch
from bianmin.consult.schemas.common import DEPARTMENT_PATTERN
from bianmin.consult.schemas.stats import ConsultStats, TopicCount
from bianmin.kit.calendar import load_calendar
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import ScopeMissing, problem_responses
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.stats import Figure, Period, StatsFn, period_params

router = APIRouter(tags=["stats"])


@router.get("/stats", summary="Consultation figures", responses=problem_responses(401, 403, 422))
async def consult_stats(session: SessionDep, who: PrincipalDep, policy: PolicyDep,
                        start: Annotated[date | None, Query(alias="from")] = None,
                        end: Annotated[date | None, Query(alias="to")] = None,
                        department: Annotated[str | None, Query(pattern=DEPARTMENT_PATTERN)] = None) -> ConsultStats:
    """Figures for consultations submitted in a period; department staff see their own departments only.

    A key that is not district-wide (a township's) sees the figures of its own site only.
    """
    await period_params(start, end)  # the kit's checks: from/to between 1900 and 2999, to not before from
    staff = staff_of(who)
    if staff.admin or who.has_scope("cockpit:read"):
        departments = [department] if department else None
    elif who.has_scope("consult:answer"):
        if department and department not in staff.departments:
            raise DepartmentMismatch("Department staff see their own departments' figures.")
        departments = [department] if department else sorted(staff.departments)
    else:
        raise ScopeMissing("This key lacks the scope consult:answer or cockpit:read.")
    tenant = None if who.district_wide else who.tenant
    found = await stats.figures(session, start=start, end=end, departments=departments,
                                calendar=await load_calendar(session), policy=policy, tenant=tenant)
    return ConsultStats(start=start, end=end, departments=departments, received=found.received,
                        answered=found.answered, on_time_rate=found.on_time_rate,
                        first_response_hours_p50=found.first_response_hours_p50,
                        first_response_hours_p90=found.first_response_hours_p90, escalations=found.escalations,
                        satisfaction_rate=found.satisfaction_rate, ratings=found.ratings,
                        top_unanswered_topics=[TopicCount(topic=t, count=n) for t, n in found.top_unanswered_topics])


def overview_for(settings: Any) -> StatsFn:
    """The cockpit's stats function (ServiceSpec.stats), closed over the service's settings.

    The kit calls it with a session and a period only; the working hours, deadlines and ladder it
    needs come from the settings the app was built with, so the first-response figures count the
    configured office hours rather than defaults.
    """
    policy = Policy.from_settings(settings)

    async def overview(session: AsyncSession, period: Period) -> list[Figure]:
        """The cockpit's figures, district-wide."""
        return await figures_for(session, period, policy)

    return overview


async def figures_for(session: AsyncSession, period: Period, policy: Policy) -> list[Figure]:
    """The cockpit's figures for a period under a policy (its working hours above all)."""
    found = await stats.figures(session, start=period.start, end=period.end, departments=None,
                                calendar=await load_calendar(session), policy=policy)
    hours = f"{policy.work_start:%H:%M}–{policy.work_end:%H:%M}"
    return [
        Figure(name="consultations_received", value=found.received, unit="consultations",
               definition="Consultations submitted in the period (Asia/Shanghai days)."),
        Figure(name="consultations_answered", value=found.answered, unit="consultations",
               definition="Of those, the ones answered."),
        Figure(name="on_time_rate", value=found.on_time_rate, unit="ratio",
               definition="Answered on or before the working-day deadline ÷ answered."),
        Figure(name="first_response_hours_p50", value=found.first_response_hours_p50, unit="working hours",
               definition=f"Median working hours ({hours} on working days) from submission to the first answer "
                          "or request for information."),
        Figure(name="first_response_hours_p90", value=found.first_response_hours_p90, unit="working hours",
               definition=f"90th percentile (nearest rank) of the working hours ({hours} on working days) from "
                          "submission to the first answer or request for information."),
        Figure(name="escalations", value=sum(found.escalations.values()), unit="steps",
               definition="Escalation ladder steps taken in the period (pre-warning, urge, notice, report).",
               breakdown=dict(found.escalations)),
        Figure(name="satisfaction_rate", value=found.satisfaction_rate, unit="ratio",
               definition="Ratings 非常满意, 满意 or 基本满意 ÷ all ratings.", breakdown=dict(found.ratings)),
        Figure(name="unanswered", value=found.unanswered, unit="consultations",
               definition="Consultations of the period still open, assigned or waiting; the breakdown gives "
                          "the most frequent topics (item name or routing keyword, else 未分类).",
               breakdown=dict(found.top_unanswered_topics)),
    ]
