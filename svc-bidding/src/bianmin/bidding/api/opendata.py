"""The archive of a finished project, and OCDS 1.1 open data (per project and as a release feed).

The archive holds submitting IPs, device fingerprints and supervision decisions, so it is for the
managing site (``bidding:write``) and supervisors (``bidding:supervise``). OCDS data is public.
The feed ``GET /v1/ocds/releases?since=`` lists releases dated after ``since``, oldest first, in
pages of ``limit``; ``links.next`` carries the cursor of the next page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.api.deps import SUPERVISE, WRITE, SettingsDep
from bianmin.bidding.api.projects import projects_get
from bianmin.bidding.domain import archive, ocds
from bianmin.bidding.models import Project, ProjectTransition, Registration
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import ScopeMissing, Unprocessable, problem_responses
from bianmin.kit.identity import PrincipalDep, public
from bianmin.kit.pagination import PageDep

router = APIRouter(tags=["open data"])
PUBLISHED = tuple(ocds.TAGS)


async def _names(session: AsyncSession, project_ids: list[int]) -> dict[int, dict[str, str]]:
    rows = (await session.execute(select(Registration.project_id, Registration.credit_code, Registration.name)
                                  .where(Registration.project_id.in_(project_ids)))).all()
    out: dict[int, dict[str, str]] = {pid: {} for pid in project_ids}
    for pid, code, name in rows:
        out[pid][code] = name
    return out


@router.get("/projects/{code}/archive", summary="The electronic archive of a finished project",
            responses=problem_responses(401, 403, 404, 409))
async def project_archive(code: str, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """Every document hash, record, decision and transition of a finished project, with its manifest digest."""
    project = await projects_get(session, code, who)
    if not (who.allows(SUPERVISE, project.tenant) or who.allows(WRITE, project.tenant)):
        raise ScopeMissing("The archive is for the managing site and supervisors.")
    return await archive.build(session, project)


@router.get("/projects/{code}/ocds", summary="A project's OCDS record", responses=problem_responses(404), **public())
async def project_ocds(code: str, request: Request, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                       settings: SettingsDep) -> dict[str, Any]:
    """An OCDS 1.1 record package: every release of the project and the compiled latest state."""
    project = await projects_get(session, code, who)
    transitions = (await session.execute(select(ProjectTransition).where(
        ProjectTransition.project_id == project.id, ProjectTransition.to_status.in_(PUBLISHED))
        .order_by(ProjectTransition.id))).scalars().all()
    names = (await _names(session, [project.id]))[project.id]
    releases = [ocds.release(project, t, prefix=settings.ocds_ocid_prefix, names=names) for t in transitions]
    record: dict[str, Any] = {"ocid": f"{settings.ocds_ocid_prefix}-{project.code}", "releases": releases}
    if releases:
        record["compiledRelease"] = {**releases[-1], "tag": ["compiled"]}
    return {"uri": str(request.url), "version": "1.1", "publishedDate": clock.now().isoformat(),
            "publisher": {"name": settings.ocds_publisher}, "records": [record]}


@router.get("/ocds/releases", summary="The OCDS release feed", responses=problem_responses(422), **public())
async def release_feed(request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep, page: PageDep,
                       since: Annotated[datetime | None, Query(description="Releases dated after this moment.")] = None,
                       ) -> dict[str, Any]:
    """OCDS 1.1 releases of every published tender, oldest first, after ``since``."""
    if since is not None and since.tzinfo is None:
        raise Unprocessable.field("since", "must carry a timezone offset")
    statement = (select(ProjectTransition, Project).join(Project, Project.id == ProjectTransition.project_id)
                 .where(ProjectTransition.to_status.in_(PUBLISHED)).order_by(ProjectTransition.id)
                 .limit(page.limit + 1))
    if since is not None:
        statement = statement.where(ProjectTransition.at > since)
    if page.after:
        if not isinstance(page.after[0], int):
            raise Unprocessable.field("cursor", "is not a cursor this API issued")
        statement = statement.where(ProjectTransition.id > page.after[0])
    rows = list((await session.execute(statement)).all())
    rows, cursor = page.cut(rows, lambda last: [last[0].id])
    names = await _names(session, sorted({p.id for _, p in rows}))
    releases = [ocds.release(p, t, prefix=settings.ocds_ocid_prefix, names=names[p.id]) for t, p in rows]
    body = ocds.package(releases, uri=str(request.url), publisher=settings.ocds_publisher, now=clock.now())
    if cursor is not None:
        body["links"] = {"next": str(request.url.include_query_params(cursor=cursor))}
    return body
