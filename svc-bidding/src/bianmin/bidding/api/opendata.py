"""OCDS 1.1 open data (per project and as a release feed); the archive is ``api/archive.py``.

OCDS data is public.
The feed ``GET /v1/ocds/releases?since=`` lists releases dated after ``since``, oldest first, in
pages of ``limit``; ``links.next`` carries the cursor of the next page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from bianmin.bidding.api.deps import EVERYONE, SettingsDep
from bianmin.bidding.domain import ocds
from bianmin.bidding.domain.common import get_visible
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.identity import PrincipalDep, public
from bianmin.kit.pagination import PageDep

router = APIRouter(tags=["open data"])


@router.get("/projects/{code}/ocds", dependencies=[EVERYONE], summary="A project's OCDS record",
            responses=problem_responses(404), **public())
async def project_ocds(code: str, request: Request, session: ReadSessionDep, who: PrincipalDep, clock: ClockDep,
                       settings: SettingsDep) -> dict[str, Any]:
    """An OCDS 1.1 record package: every release of the project, each as published, and their compiled release."""
    project = await get_visible(session, code, who)
    rows = await ocds.releases_of(session, project)
    return ocds.record_package(project, rows, prefix=settings.ocds_ocid_prefix, publisher=settings.ocds_publisher,
                               uri=str(request.url), now=clock.now())


@router.get("/ocds/releases", dependencies=[EVERYONE], summary="The OCDS release feed", responses=problem_responses(422), **public())
async def release_feed(request: Request, session: ReadSessionDep, clock: ClockDep, settings: SettingsDep, page: PageDep,
                       since: Annotated[datetime | None, Query(description="Releases dated after this moment.")] = None,
                       ) -> dict[str, Any]:
    """OCDS 1.1 releases of every published tender, oldest first, after ``since``."""
    if since is not None and since.tzinfo is None:
        raise Unprocessable.field("since", "must carry a timezone offset")
    rows, cursor = await ocds.release_page(session, page, since=since)
    releases = [ocds.served(row, code, prefix=settings.ocds_ocid_prefix) for row, code in rows]
    body = ocds.package(releases, uri=str(request.url), publisher=settings.ocds_publisher, now=clock.now())
    if cursor is not None:
        body["links"] = {"next": str(request.url.include_query_params(cursor=cursor))}
    return body
