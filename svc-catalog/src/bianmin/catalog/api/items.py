"""Service items (政务服务事项): public search and reads, administrators' writes, revision history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.catalog.api.deps import ADMIN, DISTRICT, EDITORS, EVERYONE, ensure_edits
from bianmin.catalog.api.views import item_view, revision_view
from bianmin.catalog.domain import items as domain
from bianmin.catalog.domain.errors import ItemNotFound
from bianmin.catalog.domain.listing import ItemFilter, list_items
from bianmin.catalog.domain.people import actor
from bianmin.catalog.schemas import (
    Channel,
    ExerciseLevel,
    ItemCreate,
    ItemFields,
    ItemRead,
    ItemRevisionRead,
    ItemStatus,
    ItemStatusChange,
    TargetGroup,
)
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import ScopeMissing, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, public
from bianmin.kit.pagination import Page, PageDep

router = APIRouter(tags=["items"])


def _visible(status: str, who: PrincipalDep) -> None:
    if status != "published" and not who.has_scope("catalog:admin"):
        raise ItemNotFound("No such item.")


@router.get("/items", summary="Search and list items", **public(), dependencies=[EVERYONE],
            responses=problem_responses(403, 422))
async def search_items(
    session: ReadSessionDep, who: PrincipalDep, page: PageDep,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Words to search for (中文 too).")] = None,
    site: Annotated[str | None, Query(max_length=20)] = None,
    channel: Channel | None = None,
    target_group: TargetGroup | None = None,
    department: Annotated[str | None, Query(max_length=40)] = None,
    level: ExerciseLevel | None = None,
    cross_province: bool | None = None,
    status: ItemStatus = "published",
) -> Page[ItemRead]:
    """Items that match the filters; with ``q``, ranked by the n-gram search (best first)."""
    if status != "published" and not who.has_scope("catalog:admin"):
        raise ScopeMissing("Only catalog administrators list unpublished items.")
    found, cursor = await list_items(
        session, ItemFilter(status=status, site=site, channel=channel, target_group=target_group,
                            department=department, level=level, cross_province=cross_province),
        q=q.strip() if q else None, page=page)
    return Page(items=[item_view(i, s) for i, s in found], next_cursor=cursor)


@router.get("/items/{code}", summary="Read an item", **public(), dependencies=[EVERYONE],
            responses=problem_responses(404))
async def read_item(code: str, session: ReadSessionDep, who: PrincipalDep) -> ItemRead:
    """An item at its current revision (drafts and withdrawn items for administrators only)."""
    item = await domain.get_item(session, code)
    _visible(item.status, who)
    return item_view(item)


@router.get("/items/{code}/revisions", summary="An item's history", dependencies=[ADMIN, EDITORS],
            responses=problem_responses(401, 403, 404))
async def item_revisions(code: str, session: ReadSessionDep) -> list[ItemRevisionRead]:
    """Every saved revision of the item, newest first, with who changed it and when."""
    item = await domain.get_item(session, code)
    return [revision_view(r) for r in await domain.revisions(session, item)]


@router.post("/items", status_code=201, summary="Add an item", dependencies=[ADMIN, DISTRICT, EDITORS],
             responses=problem_responses(401, 403, 409, 422))
async def create_item(body: ItemCreate, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                      idem: IdempotencyDep) -> ItemRead:
    """Add an item as a draft (revision 1); the promised limit may not exceed the legal one."""
    ensure_edits(who, body.department_code)
    item = await domain.create_item(session, body, by=actor(who), now=clock.now())
    return await idem.finish(session, item_view(item))


@router.patch("/items/{code}", summary="Change an item", dependencies=[ADMIN, DISTRICT, EDITORS],
              responses=problem_responses(401, 403, 404, 409, 422))
async def update_item(code: str, body: ItemFields, session: SessionDep, who: PrincipalDep,
                      clock: ClockDep) -> ItemRead:
    """Change some fields of an item as a new revision (announced when the item is public)."""
    item = await domain.get_item(session, code)
    ensure_edits(who, item.department_code, *([body.department_code] if body.department_code else []))
    item = await domain.update_item(session, item, body, by=actor(who), now=clock.now())
    view = item_view(item)
    await session.commit()
    return view


@router.post("/items/{code}/status", summary="Publish, suspend or withdraw an item",
             dependencies=[ADMIN, DISTRICT, EDITORS],
             responses=problem_responses(401, 403, 404, 409, 422))
async def change_status(code: str, body: ItemStatusChange, session: SessionDep, who: PrincipalDep,
                        clock: ClockDep) -> ItemRead:
    """Move an item along draft → published ⇄ suspended → withdrawn; 409 for a forbidden move."""
    item = await domain.get_item(session, code)
    ensure_edits(who, item.department_code)
    item = await domain.change_status(session, item, body.status, by=actor(who), now=clock.now())
    view = item_view(item)
    await session.commit()
    return view
