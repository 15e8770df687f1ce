"""The tenders this service knows from bidding: what a bid bond must be, and until when."""

from __future__ import annotations

from fastapi import APIRouter

from bianmin.guarantee.api import views
from bianmin.guarantee.api.deps import PARTIES
from bianmin.guarantee.domain import projects
from bianmin.guarantee.schemas import ProjectRead
from bianmin.kit.db import ReadSessionDep
from bianmin.kit.errors import problem_responses

router = APIRouter(tags=["projects"])


@router.get("/projects/{code}", dependencies=[PARTIES], summary="A tender's guarantee terms", responses=problem_responses(401, 404))
async def get_project(code: str, session: ReadSessionDep) -> ProjectRead:
    """The bid bond per section and the deadline, as received from ``bidding.project.published``."""
    project, sections = await projects.get_project(session, code)
    return views.project_read(project, sections)
