"""Listing and searching items: SQL filters, then either code order or the n-gram ranking.

Anyone may list published items; other statuses are for catalog administrators. Without ``q`` the
list is in code order, keyset-paged by the kit's ``paginate``; with ``q`` it is ranked and the cursor
is the offset into the ranking (a ranking has no stable key of its own).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.search import search
from bianmin.catalog.models import Item, ItemChannel, Offering, Site
from bianmin.kit.errors import Unprocessable
from bianmin.kit.pagination import PageParams, encode_cursor, paginate


@dataclass(frozen=True)
class ItemFilter:
    """What a list of items is narrowed to."""

    status: str = "published"
    site: str | None = None
    channel: str | None = None
    target_group: str | None = None
    department: str | None = None
    level: str | None = None
    cross_province: bool | None = None


def filtered_ids(f: ItemFilter) -> Select[tuple[int]]:
    """The ids of the items that pass the filters, as a subquery-able SELECT."""
    query = select(Item.id).where(Item.status == f.status)
    if f.site is not None:
        offered = select(Offering.item_id).where(Offering.site_code == f.site)
        if f.channel is not None:
            offered = offered.where(Offering.channel == f.channel)
        query = query.where(Item.id.in_(offered))
    elif f.channel is not None:
        query = query.where(Item.id.in_(select(ItemChannel.item_id).where(ItemChannel.channel == f.channel)))
    if f.target_group is not None:
        groups = [f.target_group, "both"] if f.target_group != "both" else ["both"]
        query = query.where(Item.target_group.in_(groups))
    if f.department is not None:
        query = query.where(Item.department_code == f.department)
    if f.level is not None:
        query = query.where(Item.exercise_level == f.level)
    if f.cross_province is True:
        query = query.where(Item.cross_province_mode.is_not(None))
    elif f.cross_province is False:
        query = query.where(Item.cross_province_mode.is_(None))
    return query


async def ensure_site_exists(session: AsyncSession, code: str) -> None:
    """422 naming ``site`` when a filter names a site that does not exist."""
    if (await session.execute(select(Site.code).where(Site.code == code))).first() is None:
        raise Unprocessable.field("site", f"no site {code}")


async def list_items(session: AsyncSession, f: ItemFilter, *, q: str | None,
                     page: PageParams) -> tuple[list[tuple[Item, float | None]], str | None]:
    """One page of items with their scores, and the cursor that continues the list (None at the end).

    Without ``q`` the list is keyset-paged in code order by the kit's :func:`paginate`. A ranking is
    computed in Python over the best candidates (see :mod:`.search`), so it has no column to page
    on: its cursor is the offset into the ranking, and a cursor of the other kind is a 422 either way.
    """
    if f.site is not None:
        await ensure_site_exists(session, f.site)
    if not q:
        rows, cursor = await paginate(session, select(Item).where(Item.id.in_(filtered_ids(f))), page, keys=[Item.code])
        return [(item, None) for item in rows], cursor
    offset = 0
    if page.after is not None:
        if len(page.after) != 1 or not isinstance(page.after[0], int) or page.after[0] < 0:
            raise Unprocessable.field("cursor", "is not a cursor of this search")
        offset = page.after[0]
    hits = await search(session, q, filtered_ids(f))
    window = hits[offset:offset + page.limit]
    items = {i.id: i for i in (await session.execute(
        select(Item).where(Item.id.in_([h.item_id for h in window])))).scalars()}
    more = encode_cursor([offset + page.limit]) if offset + page.limit < len(hits) else None
    return [(items[h.item_id], round(h.score, 2)) for h in window], more
