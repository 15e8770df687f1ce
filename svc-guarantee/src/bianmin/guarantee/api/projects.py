"""The tenders this service knows from bidding: what a bid bond must be, and until when."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from bianmin.guarantee.domain.errors import ProjectNotFound
from bianmin.guarantee.models import Project, ProjectSection
from bianmin.guarantee.schemas import ProjectRead, SectionRead
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses

router = APIRouter(tags=["projects"])


@router.get("/projects/{code}", summary="A tender's guarantee terms", responses=problem_responses(401, 404))
async def get_project(code: str, session: SessionDep) -> ProjectRead:
    """The bid bond per section and the deadline, as received from ``bidding.project.published``."""
    project = await session.get(Project, code)
    if project is None:
        raise ProjectNotFound(f"No published tender {code} (yet).")
    sections = (await session.execute(select(ProjectSection).where(ProjectSection.project_code == code)
                                      .order_by(ProjectSection.code))).scalars()
    return ProjectRead(code=project.code, name=project.name, site_code=project.site_code,
                       tenderer_name=project.tenderer_name, tenderer_credit_code=project.tenderer_credit_code,
                       bid_deadline=project.bid_deadline, opening_at=project.opening_at, closed_at=project.closed_at,
                       failed_at=project.failed_at, awarded_at=project.awarded_at,
                       sections=[SectionRead(code=s.code, name=s.name, bid_bond_amount=s.bid_bond_amount,
                                             winner_credit_code=s.winner_credit_code, award_amount=s.award_amount,
                                             failed_at=s.failed_at)
                                 for s in sections])
