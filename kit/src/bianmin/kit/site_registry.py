"""The district's sites as every service knows them: a copy of the catalog's registry, kept by event.

The catalog owns the sites (imported from a CSV or JSON file and kept through its site routes) and
announces each change as ``catalog.site.changed``; queue, consult and bidding keep the
``site_registry`` table through :data:`SITE_HANDLER` and check a site code a request names against
it (:func:`require_site`), never against a pattern, so a deployment serves whatever districts its
registry holds. An event older than the stored row changes nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.catalog import SiteChanged
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events.consumer import EventContext, Handler
from bianmin.kit.tables import site_registry


@dataclass(frozen=True)
class KnownSite:
    """A site of the registry, as a request's checks need it."""

    code: str
    name: str
    level: str
    parent_code: str | None
    tenant: str


async def find_site(session: AsyncSession, code: str) -> KnownSite | None:
    """The open site with this code, or None."""
    row = (await session.execute(select(site_registry).where(site_registry.c.code == code,
                                                             site_registry.c.active.is_(True)))).first()
    if row is None:
        return None
    return KnownSite(code=row.code, name=row.name, level=row.level, parent_code=row.parent_code, tenant=row.tenant)


async def require_site(session: AsyncSession, code: str, *, field: str,
                       levels: Collection[str] | None = None) -> KnownSite:
    """The open site with this code; 422 naming ``field`` when the registry has none (or not of ``levels``)."""
    site = await find_site(session, code)
    if site is None:
        raise Unprocessable.field(field, f"no site {code} in the district's site registry")
    if levels is not None and site.level not in levels:
        raise Unprocessable.field(field, f"site {code} is a {site.level}; expected {' or '.join(sorted(levels))}")
    return site


async def record_site(session: AsyncSession, site: SiteChanged) -> bool:
    """Keep the site unless a newer version of it is stored; True when it was written."""
    stored = (await session.execute(select(site_registry.c.updated_at)
                                    .where(site_registry.c.code == site.code))).scalar_one_or_none()
    if stored is not None and stored > site.updated_at:
        return False
    values = site.model_dump(exclude={"code"})
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(insert(site_registry).values(code=site.code, **values)
                          .on_conflict_do_update(index_elements=["code"], set_=values))
    return True


async def _apply_site_changed(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    assert isinstance(payload, SiteChanged)
    await record_site(ctx.session, payload)


SITE_HANDLER = Handler("catalog.site.changed", _apply_site_changed)
