"""``GET /v1/stats``: the consult figures for a period and a department (the cockpit's are in domain/stats.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.consult.api import views
from bianmin.consult.api.deps import PolicyDep
from bianmin.consult.domain import stats
from bianmin.consult.domain.access import AGENT, sites_of, staff_of
from bianmin.consult.domain.errors import DepartmentMismatch
from bianmin.consult.schemas import ConsultStats
from bianmin.consult.schemas.common import DEPARTMENT_PATTERN
from bianmin.kit import subjects
from bianmin.kit.calendar import load_calendar
from bianmin.kit.db import ReadSessionDep
from bianmin.kit.errors import ScopeMissing, problem_responses
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.policy import app, operator, policy, staff, supervisor
from bianmin.kit.stats import period_params

router = APIRouter(tags=["stats"])


@router.get("/stats", summary="Consultation figures", responses=problem_responses(401, 403, 422),
            dependencies=[policy(staff(AGENT, "cockpit_viewer"), supervisor(), operator(), app())])
async def consult_stats(session: ReadSessionDep, who: PrincipalDep, policy: PolicyDep,
                        start: Annotated[date | None, Query(alias="from")] = None,
                        end: Annotated[date | None, Query(alias="to")] = None,
                        department: Annotated[str | None, Query(pattern=DEPARTMENT_PATTERN)] = None) -> ConsultStats:
    """Figures for consultations submitted in a period; department staff see their own departments only.

    A key that is not district-wide (a township's) sees the figures of its own site only, a staff member
    those of the sites where it holds a role (issue 19); a consult_agent its departments' only.
    """
    await period_params(start, end)  # the kit's checks: from/to between 1900 and 2999, to not before from
    staff = staff_of(who)
    if who.is_a(subjects.STAFF):
        assert who.subject is not None
        cockpit = who.subject.holds_anywhere({"cockpit_viewer"})
    else:
        cockpit = who.has_scope("cockpit:read")
    if staff.admin or cockpit:
        departments = [department] if department else None
    elif staff.roles is not None or who.has_scope("consult:answer"):
        if department and department not in staff.departments:
            raise DepartmentMismatch("Department staff see their own departments' figures.")
        departments = [department] if department else sorted(staff.departments)
    else:
        raise ScopeMissing("This key lacks the scope consult:answer or cockpit:read.")
    found = await stats.figures(session, start=start, end=end, departments=departments,
                                calendar=await load_calendar(session), policy=policy, sites=sites_of(who))
    return views.consult_stats(found, start=start, end=end, departments=departments)
