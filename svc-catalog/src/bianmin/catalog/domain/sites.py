"""Departments, sites, delegation (item × site × channel) and the service map.

Sites are data (issue 20): a deployment names the districts it serves in configuration
(``BIANMIN_CATALOG_DISTRICTS``: 6-digit county codes, GB/T 2260; several side by side) and the
catalog keeps their sites, imported in one call (:mod:`.site_import`) or kept through the site
routes; no district is written in the code. A new site's code must begin with a configured county
code (422 on ``code``). An empty list names no district and every new site is refused, saying so:
a production deployment must name its own; ``make run`` and the tests name the demo's 330199.
Sites already stored stay as they are when their district leaves the list (close them to retire them).

Code shapes per level. A child's code extends its parent's, so :func:`bianmin.kit.sites.within`
reads off the codes the hierarchy the registry holds (tenancy and roles are checked with it):
- ``district`` (the district's service hall): its county's 6 digits + ``000`` (``330199000``); no parent.
- ``township`` (township or street centre): its county's 6 digits + 3 digits other than 000
  (GB/T 10114; ``011`` and above are as ordinary as ``001``). Its 12-digit statistical division code
  (统计用区划代码: these 9 digits + ``000``) is accepted, in ``code`` and ``parent_code``, and kept as
  the 9 digits. Its parent, when given, is its county's hall.
- ``village`` (village or community station): its township's 9 digits + 3 digits other than 000 (12
  in all, the statistical code); its parent is that township.
- ``bank`` (a bank outlet, 政银合作): its parent's code + ``B`` + 2 digits. Under a hall the parent's
  code is the county's, so ``330199B01`` stands under ``330199000``; under a township or a village,
  its own (``330199001B01``, ``330199001001B01``).
- ``terminal``: its parent's code (as for outlets) + a letter for its ``kind`` + 2 digits: ``T`` a
  self-service terminal (``self_service``, 自助终端), ``C`` a bank counter handling items
  (``bank_counter``, 银行柜台代办), ``P`` a PAD point (``pad``): ``330199001B01T01``. Its parent is an
  outlet or any other site but a terminal. It offers items through its kind's channel only: kiosk,
  bank_staff or mobile_pad (and bank_terminal for a self-service terminal in a bank outlet).

A site's tenant is the township that owns it: a township is its own tenant, every site under it
belongs to it; a hall and the sites hanging directly under it are district-wide (``*``).

Every change is an event: adding, changing and closing a site, by route or by import, emits
``catalog.site.changed`` (the site's registry fields, ``active`` and ``updated_at``) in the same
transaction, with the site's tenant; a write that changes nothing emits nothing. Every other
service keeps its registry from these (:mod:`bianmin.kit.site_registry`), and
:func:`announce_sites` sends the state of every site again for those that started later.

Closing (``active: false``) keeps the site, so the applications and roles that name it still
resolve; a closed site leaves the lists (unless asked for) and the map, takes no new applications
and no new site under it, and cannot close while an open site stands under it (409).

The service map prefilters sites with a bounding box in SQL (a box of the search radius around the
point, widened in longitude by 1/cos(latitude)), then computes the exact great-circle distance with
the haversine formula in Python and sorts by it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.errors import SiteExists, SiteHasOpenSites, SiteNotFound
from bianmin.catalog.domain.site_codes import Placed, refuse, site_problems, tenant_of, terminal_channels
from bianmin.catalog.models import Department, Item, Offering, Site
from bianmin.catalog.schemas import SiteCreate, SiteWrite
from bianmin.contracts.events.catalog import SiteChanged
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.site_registry import KnownSite, RegistryState, registry_digest

EARTH_RADIUS_KM = 6371.0088
# The columns a site write sets (the rest, code, tenant and times, follow from the rules).
WRITTEN = tuple(SiteWrite.model_fields)


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
                     parent: str | None, include_closed: bool = False) -> tuple[list[Site], str | None]:
    """One page of the sites (of a level, under a parent; open ones unless asked), in code order."""
    query = select(Site)
    if level is not None:
        query = query.where(Site.level == level)
    if parent is not None:
        query = query.where(Site.parent_code == parent)
    if not include_closed:
        query = query.where(Site.active.is_(True))
    return await paginate(session, query, page, keys=[Site.code])


def placed(site: Site | None) -> Placed | None:
    """A stored site as the checks of the sites under it need it."""
    return None if site is None else Placed(code=site.code, level=site.level, tenant=site.tenant, active=site.active)


async def claimed_tenant(session: AsyncSession, data: SiteCreate) -> str:
    """The tenant a new site would belong to, for the tenancy check before it is created (422 for an unknown parent).

    The full checks of the code and the parent follow in :func:`create_site`.
    """
    parent = await session.get(Site, data.parent_code) if data.parent_code else None
    if data.parent_code and parent is None:
        raise Unprocessable.field("parent_code", f"no site {data.parent_code}")
    return tenant_of(data.code, data.level, placed(parent))


async def get_site(session: AsyncSession, code: str) -> Site:
    """The site with this code, or 404."""
    site = await session.get(Site, code)
    if site is None:
        raise SiteNotFound(f"No site {code}.")
    return site


async def announce(session: AsyncSession, site: Site) -> None:
    """Record ``catalog.site.changed`` with the site as it now stands, in the session's transaction."""
    await emit(session, "catalog.site.changed", SiteChanged(
        code=site.code, name=site.name, level=site.level, parent_code=site.parent_code, tenant=site.tenant,
        active=site.active, updated_at=site.updated_at), tenant=site.tenant, about=site.code)


async def registry_state(session: AsyncSession) -> RegistryState:
    """The open sites counted and digested as every service's copy is (:func:`bianmin.kit.site_registry.registry_digest`)."""
    found = (await session.execute(select(Site).where(Site.active.is_(True)))).scalars()
    known = [KnownSite(code=s.code, name=s.name, level=s.level, parent_code=s.parent_code, tenant=s.tenant) for s in found]
    return RegistryState(sites=len(known), digest=registry_digest(known))


async def announce_sites(session: AsyncSession) -> int:
    """Emit the current state of every site, open or closed (for services that started after the changes); how many."""
    found = list((await session.execute(select(Site).order_by(Site.code))).scalars())
    for site in found:
        await announce(session, site)
    return len(found)


def apply(site: Site, data: SiteWrite, tenant: str) -> bool:
    """Set a site's fields from a write; True when any of them changed."""
    values = {**{name: getattr(data, name) for name in WRITTEN}, "tenant": tenant}
    changed = any(getattr(site, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(site, name, value)
    return changed


async def create_site(session: AsyncSession, data: SiteCreate, *, districts: Sequence[str], now: datetime) -> Site:
    """Add a site and announce it; 422 naming what breaks the scheme, 409 when the code is taken."""
    if await session.get(Site, data.code) is not None:
        raise SiteExists(f"Site {data.code} exists already.")
    parent = placed(await session.get(Site, data.parent_code)) if data.parent_code else None
    refuse(site_problems(data, data.code, parent=parent, existing_level=None, districts=districts))
    site = Site(code=data.code, created_at=now, updated_at=now)
    apply(site, data, tenant_of(data.code, data.level, parent))
    session.add(site)
    await session.flush()
    await announce(session, site)
    return site


async def open_children(session: AsyncSession, codes: Sequence[str]) -> dict[str, list[str]]:
    """The open sites standing directly under each of ``codes`` (those that have any)."""
    found: dict[str, list[str]] = {}
    rows = await session.execute(select(Site.parent_code, Site.code).where(Site.parent_code.in_(codes),
                                                                           Site.active.is_(True)).order_by(Site.code))
    for parent, code in rows:
        found.setdefault(parent, []).append(code)
    return found


async def update_site(session: AsyncSession, site: Site, data: SiteWrite, *, now: datetime) -> Site:
    """Replace a site's fields (its code and level stay) and announce the change; closing needs no open site under it."""
    parent = placed(await session.get(Site, data.parent_code)) if data.parent_code else None
    refuse(site_problems(data, site.code, parent=parent, existing_level=site.level, districts=None))
    if site.active and not data.active:
        children = (await open_children(session, [site.code])).get(site.code)
        if children:
            raise SiteHasOpenSites(f"Site {site.code} still has open sites under it: {', '.join(children)}.")
    if apply(site, data, tenant_of(site.code, data.level, parent)):
        site.updated_at = now
        await session.flush()
        await announce(session, site)
    return site


async def lineage(session: AsyncSession, site: Site) -> list[str]:
    """The codes of a site and of every site above it, nearest first."""
    codes = [site.code]
    parent_code = site.parent_code
    while parent_code is not None and parent_code not in codes:
        codes.append(parent_code)
        parent = await session.get(Site, parent_code)
        parent_code = parent.parent_code if parent is not None else None
    return codes


async def require_terminal(session: AsyncSession, code: str, *, site: Site, item: Item, channel: str) -> Site:
    """The open terminal ``code`` under ``site`` offering ``item`` through ``channel``; 422 naming terminal_code if not."""
    terminal = await session.get(Site, code)
    if terminal is None or terminal.level != "terminal":
        raise Unprocessable.field("terminal_code", f"no terminal {code}")
    if not terminal.active:
        raise Unprocessable.field("terminal_code", f"terminal {code} is closed")
    if site.code not in await lineage(session, terminal):
        raise Unprocessable.field("terminal_code", f"terminal {code} does not stand under site {site.code}")
    offered = (await session.execute(select(Offering).where(
        Offering.item_id == item.id, Offering.site_code == code, Offering.channel == channel))).first()
    if offered is None:
        raise Unprocessable.field("terminal_code", f"terminal {code} does not offer item {item.code} through {channel}")
    return terminal


async def set_offerings(session: AsyncSession, site: Site, offerings: list[tuple[str, list[str]]]) -> int:
    """Replace what a site offers; 422 naming an unknown item, a channel the item lacks or one the terminal has not."""
    fitting = None
    if site.kind is not None:
        parent = await session.get(Site, site.parent_code) if site.parent_code else None
        fitting = terminal_channels(site.kind, parent.level if parent is not None else None)
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
        unfit = sorted(set(channels) - fitting) if fitting is not None else []
        if unfit:
            raise Unprocessable.field(f"offerings.{index}.channels", f"a {site.kind} terminal offers items through "
                                      f"{' or '.join(sorted(fitting or ()))} only, not {', '.join(unfit)}")
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
    query = select(Site).where(Site.active.is_(True), Site.lat.between(south, north))
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
