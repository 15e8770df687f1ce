"""The district's sites as every service knows them: a copy of the catalog's registry, kept by event.

The catalog owns the sites (imported from a CSV or JSON file and kept through its site routes) and
announces each change as ``catalog.site.changed``; queue, consult and bidding keep the
``site_registry`` table through :data:`SITE_HANDLER` and check a site code a request names against
it (:func:`require_site`), never against a pattern, so a deployment serves whatever districts its
registry holds. An event older than the stored row changes nothing.

``GET /v1/site-registry`` of each such service answers how many sites its copy holds and a digest
of them, so an operator (or a test) sees at a glance whether every copy agrees with the catalog's;
``GET /v1/site-registry/{code}`` shows one entry.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.catalog import SiteChanged
from bianmin.kit.db import ReadSessionDep
from bianmin.kit.errors import NotFound, Unprocessable, problem_responses
from bianmin.kit.events.consumer import EventContext, Handler
from bianmin.kit.identity import public
from bianmin.kit.policy import everyone, policy
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


class RegistryState(BaseModel):
    """How many open sites a copy of the registry holds, and a digest to compare copies by."""

    sites: int
    digest: str = Field(description="SHA-256 over each open site's code, name, level, parent and tenant, in code order.")


def registry_digest(sites: list[KnownSite]) -> str:
    """The digest of a registry's open sites (the catalog computes the same over its own)."""
    lines = sorted(f"{s.code}|{s.name}|{s.level}|{s.parent_code or ''}|{s.tenant}" for s in sites)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


async def registry_state(session: AsyncSession) -> RegistryState:
    """This database's copy of the registry, counted and digested."""
    rows = (await session.execute(select(site_registry).where(site_registry.c.active.is_(True)))).all()
    sites = [KnownSite(code=r.code, name=r.name, level=r.level, parent_code=r.parent_code, tenant=r.tenant) for r in rows]
    return RegistryState(sites=len(sites), digest=registry_digest(sites))


class KnownSiteRead(BaseModel):
    """One site as this service knows it."""

    code: str
    name: str
    level: str
    parent_code: str | None
    tenant: str


def site_registry_router() -> APIRouter:
    """``GET /site-registry`` (count and digest) and ``GET /site-registry/{code}``: this service's copy."""
    router = APIRouter(tags=["site registry"])
    anyone = [policy(*everyone())]

    @router.get("/site-registry", summary="This service's copy of the site registry", **public(), dependencies=anyone)
    async def read_registry(session: ReadSessionDep) -> RegistryState:
        """How many open sites this service knows and their digest (equal to the catalog's when the copies agree)."""
        return await registry_state(session)

    @router.get("/site-registry/{code}", summary="One site as this service knows it", **public(), dependencies=anyone,
                responses=problem_responses(404))
    async def read_known_site(code: str, session: ReadSessionDep) -> KnownSiteRead:
        """The open site with this code in this service's copy; 404 when it does not know it."""
        site = await find_site(session, code)
        if site is None:
            raise NotFound(f"This service knows no open site {code}.")
        return KnownSiteRead(**site.__dict__)

    return router


async def _apply_site_changed(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    assert isinstance(payload, SiteChanged)
    await record_site(ctx.session, payload)


SITE_HANDLER = Handler("catalog.site.changed", _apply_site_changed)
