"""Departments, sites, delegation (item × site × channel) and the service map.

Site codes follow the district's scheme: the hall ``330199000``, townships ``330199001``–``010``
(nine digits), villages twelve digits beginning with their township's code, bank outlets
``330199B01``…. A site's tenant is the township that owns it: a township is its own tenant, a
village belongs to its township, a bank outlet to the township it hangs under; the district hall
and outlets under it are district-wide (``*``).

The service map prefilters sites with a bounding box in SQL (a box of the search radius around the
point, widened in longitude by 1/cos(latitude)), then computes the exact great-circle distance with
the haversine formula in Python and sorts by it.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.errors import SiteExists, SiteNotFound
from bianmin.catalog.models import Department, Item, Offering, Site
from bianmin.catalog.schemas import SiteCreate, SiteWrite
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identity import DISTRICT
from bianmin.kit.pagination import PageParams, paginate

EARTH_RADIUS_KM = 6371.0088
DISTRICT_CODE = "330199"
CODE_SHAPES = {
    "district": re.compile(r"^\d{6}000$"),
    "township": re.compile(r"^\d{6}(?!000)\d{3}$"),
    "village": re.compile(r"^\d{12}$"),
    "bank": re.compile(r"^\d{6}B\d{2}$"),
}
PARENT_LEVELS = {"district": set(), "township": {"district"}, "village": {"township"}, "bank": {"district", "township"}}


async def upsert_department(session: AsyncSession, code: str, name: str, *, now: datetime) -> tuple[Department, bool]:
    """Add a department or rename it; True when it was new."""
    department = await session.get(Department, code)
    if department is None:
        department = Department(code=code, name=name, created_at=now)
        session.add(department)
        await session.flush()
        return department, True
    department.name = name
    await session.flush()
    return department, False


async def departments(session: AsyncSession) -> list[Department]:
    """Every department, in code order (a short list: a district has a few dozen)."""
    return list((await session.execute(select(Department).order_by(Department.code))).scalars())


async def list_sites(session: AsyncSession, page: PageParams, *, level: str | None,
                     parent: str | None) -> tuple[list[Site], str | None]:
    """One page of the sites (of a level, under a parent), in code order."""
    query = select(Site)
    if level is not None:
        query = query.where(Site.level == level)
    if parent is not None:
        query = query.where(Site.parent_code == parent)
    return await paginate(session, query, page, keys=[Site.code])


async def claimed_tenant(session: AsyncSession, data: SiteCreate) -> str:
    """The tenant a new site would belong to, for the tenancy check before it is created (422 for an unknown parent).

    A township is its own tenant; any other site belongs to its parent's tenant, or to the whole
    district without a parent. The full checks of the code and the parent follow in :func:`create_site`.
    """
    parent = await session.get(Site, data.parent_code) if data.parent_code else None
    if data.parent_code and parent is None:
        raise Unprocessable.field("parent_code", f"no site {data.parent_code}")
    return data.code if data.level == "township" else (parent.tenant if parent else DISTRICT)


async def get_site(session: AsyncSession, code: str) -> Site:
    """The site with this code, or 404."""
    site = await session.get(Site, code)
    if site is None:
        raise SiteNotFound(f"No site {code}.")
    return site


async def _tenant_for(session: AsyncSession, code: str, data: SiteWrite) -> str:
    """Check the parent fits the level and return the tenant the site belongs to."""
    allowed = PARENT_LEVELS[data.level]
    if data.parent_code is None:
        if data.level == "village":
            raise Unprocessable.field("parent_code", "a village needs its township as parent")
        return code if data.level == "township" else DISTRICT
    parent = await session.get(Site, data.parent_code)
    if parent is None:
        raise Unprocessable.field("parent_code", f"no site {data.parent_code}")
    if parent.level not in allowed:
        raise Unprocessable.field("parent_code", f"a {data.level} site cannot hang under a {parent.level} site")
    if data.level == "village" and not code.startswith(parent.code):
        raise Unprocessable.field("code", f"a village code must begin with its township's code {parent.code}")
    if data.level == "township":
        return code
    return parent.tenant


async def create_site(session: AsyncSession, data: SiteCreate, *, now: datetime) -> Site:
    """Add a site; 422 for a code that does not fit its level, 409 when the code is taken."""
    if not CODE_SHAPES[data.level].match(data.code) or not data.code.startswith(DISTRICT_CODE):
        raise Unprocessable.field("code", f"is not a {data.level} site code of district {DISTRICT_CODE}")
    if await session.get(Site, data.code) is not None:
        raise SiteExists(f"Site {data.code} exists already.")
    tenant = await _tenant_for(session, data.code, data)
    site = Site(**data.model_dump(), tenant=tenant, created_at=now, updated_at=now)
    session.add(site)
    await session.flush()
    return site


async def update_site(session: AsyncSession, site: Site, data: SiteWrite, *, now: datetime) -> Site:
    """Replace a site's fields; its code and level stay, so its tenant cannot move by accident."""
    if data.level != site.level:
        raise Unprocessable.field("level", f"cannot change from {site.level}; create a new site instead")
    if data.parent_code == site.code:
        raise Unprocessable.field("parent_code", "a site cannot be its own parent")
    tenant = await _tenant_for(session, site.code, data)
    for name, value in data.model_dump().items():
        setattr(site, name, value)
    site.tenant = tenant
    site.updated_at = now
    await session.flush()
    return site


async def set_offerings(session: AsyncSession, site: Site, offerings: list[tuple[str, list[str]]]) -> int:
    """Replace what a site offers; 422 naming an unknown item or a channel the item lacks."""
    codes = sorted({code for code, _ in offerings})
    items = {i.code: i for i in (await session.execute(select(Item).where(Item.code.in_(codes)))).scalars()}
    rows: set[tuple[int, str]] = set()
    for index, (code, channels) in enumerate(offerings):
        item = items.get(code)
        if item is None:
            raise Unprocessable.field(f"offerings.{index}.item_code", f"no item {code}")
        lacking = sorted(set(channels) - set(item.channels))
        if lacking:
            raise Unprocessable.field(f"offerings.{index}.channels", f"item {code} is not handled through {', '.join(lacking)}")
        rows.update((item.id, c) for c in channels)
    current = {(r[0], r[1]) for r in (await session.execute(select(Offering.item_id, Offering.channel)
                                                            .where(Offering.site_code == site.code))).all()}
    if current == rows:
        return len(rows)
    await session.execute(delete(Offering).where(Offering.site_code == site.code))
    if rows:
        await session.execute(insert(Offering), [{"item_id": i, "site_code": site.code, "channel": c} for i, c in sorted(rows)])
    await session.flush()
    return len(rows)


async def changed_offerings(session: AsyncSession, site: Site, offerings: list[tuple[str, list[str]]]) -> set[str]:
    """The departments whose items' offerings at ``site`` the new list changes (a department's editor changes its own only)."""
    wanted = {(code, c) for code, channels in offerings for c in channels}
    current = {(code, c) for code, channels in await offerings_of(session, site) for c in channels}
    codes = {code for code, _ in wanted ^ current}
    return set((await session.execute(select(Item.department_code).where(Item.code.in_(codes)))).scalars())


async def offerings_of(session: AsyncSession, site: Site) -> list[tuple[str, list[str]]]:
    """What a site offers: item codes with their channels, in code order."""
    rows = (await session.execute(select(Item.code, Offering.channel).join(Item, Item.id == Offering.item_id)
                                  .where(Offering.site_code == site.code).order_by(Item.code, Offering.channel))).all()
    grouped: dict[str, list[str]] = {}
    for code, channel in rows:
        grouped.setdefault(code, []).append(channel)
    return list(grouped.items())


def parse_point(text: str) -> tuple[float, float]:
    """``lat,lng`` as floats; 422 naming ``near`` when it is not a point on Earth."""
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        lat, lng = float(parts[0]), float(parts[1])
    except ValueError as exc:
        raise Unprocessable.field("near", "must read <lat>,<lng> in decimal degrees") from exc
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise Unprocessable.field("near", "latitude must be between -90 and 90")
    if not (math.isfinite(lng) and -180 <= lng <= 180):
        raise Unprocessable.field("near", "longitude must be between -180 and 180")
    return lat, lng


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle distance between two points in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, radius_km: float) -> tuple[float, float, float, float]:
    """South, north, west, east edges of a box that contains every point within ``radius_km``."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = math.cos(math.radians(lat))
    dlng = 180.0 if cos_lat < 1e-6 else min(180.0, math.degrees(radius_km / EARTH_RADIUS_KM) / cos_lat)
    return max(-90.0, lat - dlat), min(90.0, lat + dlat), lng - dlng, lng + dlng


async def nearest_sites(session: AsyncSession, *, lat: float, lng: float, radius_km: float, item: str | None,
                        level: str | None, limit: int) -> list[tuple[Site, float]]:
    """Sites within ``radius_km`` of a point (offering ``item`` when given), nearest first."""
    south, north, west, east = bounding_box(lat, lng, radius_km)
    query = select(Site).where(Site.lat.between(south, north))
    if east - west < 360:
        if west < -180:
            query = query.where((Site.lng >= west + 360) | (Site.lng <= east))
        elif east > 180:
            query = query.where((Site.lng >= west) | (Site.lng <= east - 360))
        else:
            query = query.where(Site.lng.between(west, east))
    if item is not None:
        found = (await session.execute(select(Item.id).where(Item.code == item))).scalar_one_or_none()
        if found is None:
            raise Unprocessable.field("item", f"no item {item}")
        query = query.where(Site.code.in_(select(Offering.site_code).where(Offering.item_id == found)))
    if level is not None:
        query = query.where(Site.level == level)
    candidates = [(s, haversine_km(lat, lng, s.lat, s.lng)) for s in (await session.execute(query)).scalars()]
    within = sorted(((s, d) for s, d in candidates if d <= radius_km), key=lambda pair: (pair[1], pair[0].code))
    return within[:limit]
