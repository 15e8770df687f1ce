"""Sites and the service map (办事地图): public reads, administrators' writes, delegation as data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from bianmin.catalog.api.deps import ADMIN, DISTRICT, EVERYONE, SettingsDep
from bianmin.catalog.api.views import offerings_view, site_view
from bianmin.catalog.domain import site_import, sites
from bianmin.catalog.schemas import OfferingsWrite, SiteCreate, SiteImport, SiteImportResult, SiteLevel, SiteRead, SiteWrite
from bianmin.kit import subjects
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import Principal, PrincipalDep, ensure_tenant, public
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.policy import RoleMissing, app, district_role, operator, policy, staff
from bianmin.kit.site_registry import RegistryState

router = APIRouter(tags=["sites"])
# The import's JSON body, documented beside its CSV form (the route reads the body itself to take either).
IMPORT_JSON = {k: v for k, v in SiteImport.model_json_schema(ref_template="#/components/schemas/{model}").items()
               if k != "$defs"}
# Sites and the map: an item editor of the site (or a site above it), an operator, or an app within its tenancy.
SITE_EDITORS = policy(staff("item_editor"), operator(), app())


def ensure_site_editor(who: Principal, *codes: str, department: str | None = None) -> None:
    """403 ``role_missing`` unless a staff subject holds item_editor over each site (and the department, for offerings)."""
    if not who.is_a(subjects.STAFF):
        return
    for code in codes:
        if not who.has_role("item_editor", code, department):
            raise RoleMissing(f"This change needs the role item_editor at site {code}"
                              + (f" for department {department}." if department else "."))


@router.get("/sites", summary="List sites, or the nearest sites offering an item", **public(), dependencies=[EVERYONE],
            responses=problem_responses(422))
async def list_sites(
    session: ReadSessionDep, page: PageDep,
    near: Annotated[str | None, Query(max_length=60, description="<lat>,<lng>: nearest first, with distance.")] = None,
    item: Annotated[str | None, Query(max_length=60, description="Only sites that offer this item.")] = None,
    radius_km: Annotated[float, Query(gt=0, le=500, description="Search radius around `near`.")] = 50.0,
    level: SiteLevel | None = None,
    parent: Annotated[str | None, Query(max_length=20)] = None,
    include_closed: Annotated[bool, Query(description="Closed sites too (never on the map).")] = False,
) -> Page[SiteRead]:
    """With ``near``: the service map, the nearest open sites (offering ``item``) with their distance; else the sites."""
    if near is not None:
        lat, lng = sites.parse_point(near)
        if page.after is not None:
            raise Unprocessable.field("cursor", "the service map answers in one page; raise limit instead")
        found = await sites.nearest_sites(session, lat=lat, lng=lng, radius_km=radius_km, item=item, level=level,
                                          limit=page.limit)
        return Page(items=[site_view(s, d) for s, d in found])
    if item is not None:
        raise Unprocessable.field("near", "is needed with item (the service map sorts by distance)")
    rows, cursor = await sites.list_sites(session, page, level=level, parent=parent, include_closed=include_closed)
    return Page(items=[site_view(s) for s in rows], next_cursor=cursor)


@router.get("/site-registry", summary="The registry every service copies: count and digest", **public(),
            dependencies=[EVERYONE])
async def read_registry(session: ReadSessionDep) -> RegistryState:
    """How many open sites the catalog holds and their digest: every service's ``/v1/site-registry`` agrees when in step."""
    return await sites.registry_state(session)


@router.get("/sites/{code}", summary="Read a site", **public(), dependencies=[EVERYONE], responses=problem_responses(404))
async def read_site(code: str, session: ReadSessionDep) -> SiteRead:
    """One site with its address, coordinates and opening hours."""
    return site_view(await sites.get_site(session, code))


@router.post("/sites", status_code=201, summary="Add a site", dependencies=[ADMIN, SITE_EDITORS],
             responses=problem_responses(401, 403, 409, 422))
async def create_site(body: SiteCreate, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                      idem: IdempotencyDep, settings: SettingsDep) -> SiteRead:
    """Add a service point of a district this deployment serves; a township key adds sites under its own township only."""
    if not who.district_wide:
        ensure_tenant(who, await sites.claimed_tenant(session, body))
    ensure_site_editor(who, body.code)
    site = await sites.create_site(session, body, districts=settings.districts, now=clock.now())
    return await idem.finish(session, site_view(site))


@router.post("/sites/import", summary="Import sites (CSV or JSON)", dependencies=[ADMIN, DISTRICT, SITE_EDITORS,
                                                                                 district_role("item_editor")],
             openapi_extra={"requestBody": {"required": True, "content": {
                 "text/csv": {"schema": {"type": "string"}},
                 "application/json": {"schema": IMPORT_JSON}}}},
             responses=problem_responses(401, 403, 422))
async def import_sites(request: Request, session: SessionDep, clock: ClockDep, settings: SettingsDep) -> SiteImportResult:
    """Add and change a district's sites from one file (``text/csv`` or JSON), all or nothing; see domain.site_import."""
    body = await request.body()
    csv = request.headers.get("content-type", "").split(";")[0].strip().lower() == "text/csv"
    rows = site_import.from_csv(body) if csv else site_import.from_json(body)
    result = await site_import.import_sites(session, rows, districts=settings.districts, now=clock.now())
    await session.commit()
    return result


@router.put("/sites/{code}", summary="Change, close or reopen a site", dependencies=[ADMIN, SITE_EDITORS],
            responses=problem_responses(401, 403, 404, 409, 422))
async def update_site(code: str, body: SiteWrite, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> SiteRead:
    """Replace a site's name, parent, address, coordinates, hours, phone and kind; ``active: false`` closes it."""
    site = await sites.get_site(session, code)
    ensure_tenant(who, site.tenant)
    ensure_site_editor(who, site.code, *([body.parent_code] if body.parent_code else []))
    site = await sites.update_site(session, site, body, now=clock.now())
    ensure_tenant(who, site.tenant)
    view = site_view(site)
    await session.commit()
    return view


@router.get("/sites/{code}/offerings", summary="What a site offers", **public(), dependencies=[EVERYONE],
            responses=problem_responses(404))
async def read_offerings(code: str, session: ReadSessionDep) -> OfferingsWrite:
    """The items a site offers and through which channels (delegation, 事项下沉)."""
    site = await sites.get_site(session, code)
    return offerings_view(await sites.offerings_of(session, site))


@router.put("/sites/{code}/offerings", summary="Set what a site offers", dependencies=[ADMIN, SITE_EDITORS],
            responses=problem_responses(401, 403, 404, 422))
async def put_offerings(code: str, body: OfferingsWrite, session: SessionDep, who: PrincipalDep) -> OfferingsWrite:
    """Replace the site's offerings; each channel must be one the item is handled through."""
    site = await sites.get_site(session, code)
    ensure_tenant(who, site.tenant)
    if who.subject is not None:
        changed = await sites.changed_offerings(session, site, [(o.item_code, list(o.channels)) for o in body.offerings])
        for department in changed:
            ensure_site_editor(who, site.code, department=department)
    await sites.set_offerings(session, site, [(o.item_code, list(o.channels)) for o in body.offerings])
    view = offerings_view(await sites.offerings_of(session, site))
    await session.commit()
    return view
