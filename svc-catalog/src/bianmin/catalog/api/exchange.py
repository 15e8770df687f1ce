"""Bulk import and export of the catalog (JSON, CSV), CPSV-AP JSON-LD, cross-province agreements."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from bianmin.catalog.api.deps import ADMIN, DISTRICT, actor
from bianmin.catalog.domain import exchange
from bianmin.catalog.domain.errors import AgreementExists, ItemNotFound
from bianmin.catalog.domain.items import department_name, get_item
from bianmin.catalog.models import Agreement, Department, Item
from bianmin.catalog.schemas import (
    AgreementCreate,
    AgreementRead,
    CatalogImport,
    DepartmentCreate,
    ImportResult,
    ItemImport,
    ItemRead,
)
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, public

router = APIRouter(tags=["exchange"])


@router.post("/catalog/import", summary="Import the catalog (JSON)", dependencies=[ADMIN, DISTRICT],
             responses=problem_responses(401, 403, 409, 422))
async def import_catalog(body: CatalogImport, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> ImportResult:
    """Upsert departments and items in one transaction; an unchanged item is left alone (safe to repeat)."""
    codes = [i.code for i in body.items]
    if len(set(codes)) != len(codes):
        raise Unprocessable.field("items", "an item code appears twice")
    result = await exchange.import_catalog(session, body, by=actor(who), now=clock.now())
    await session.commit()
    return result


@router.post("/catalog/import/csv", summary="Import the items' flat fields (CSV)", dependencies=[ADMIN, DISTRICT],
             openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}},
             responses=problem_responses(401, 403, 409, 422))
async def import_csv(request: Request, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> ImportResult:
    """Create or change items from the flat-field CSV of the export; materials and aliases stay as they are."""
    try:
        text = (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unprocessable.field("csv", "must be UTF-8") from exc
    entries = exchange.from_csv(text)
    existing = {i.code: i for i in (await session.execute(
        select(Item).where(Item.code.in_([e["code"] for e in entries])))).scalars()}
    items = []
    for number, entry in enumerate(entries, start=1):
        current = existing.get(entry["code"])
        base = ItemRead.model_validate(current).model_dump(mode="json", exclude={"revision", "updated_at", "score"}) \
            if current is not None else {}
        try:
            items.append(ItemImport.model_validate({**base, **entry}))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise Unprocessable.field(f"rows.{number}.{'.'.join(str(p) for p in first['loc'])}", first["msg"]) from exc
    body = CatalogImport(items=items)
    codes = [i.code for i in body.items]
    if len(set(codes)) != len(codes):
        raise Unprocessable.field("csv", "an item code appears twice")
    result = await exchange.import_catalog(session, body, by=actor(who), now=clock.now())
    await session.commit()
    return result


@router.get("/catalog/export", summary="Export the catalog (JSON or CSV)", dependencies=[ADMIN],
            responses={**problem_responses(401, 403), 200: {"content": {"text/csv": {}}}})
async def export_catalog(session: SessionDep, format: Literal["json", "csv"] = "json") -> Response:
    """Every item and department: JSON in the import's own shape, or the items' flat fields as CSV."""
    items = await exchange.all_items(session)
    if format == "csv":
        return Response(exchange.to_csv(items), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="catalog.csv"'})
    departments = (await session.execute(select(Department).order_by(Department.code))).scalars()
    body = {"departments": [DepartmentCreate(code=d.code, name=d.name).model_dump(mode="json") for d in departments],
            "items": [ItemRead.model_validate(i).model_dump(mode="json", exclude={"revision", "updated_at", "score"})
                      for i in items]}
    return JSONResponse(body)


@router.get("/items/{code}/cpsv", summary="An item in CPSV-AP JSON-LD", **public(),
            responses={**problem_responses(404), 200: {"content": {"application/ld+json": {}}}})
async def item_cpsv(code: str, request: Request, session: SessionDep) -> Response:
    """The item as a CPSV-AP PublicService (JSON-LD), for exchange with other catalogues."""
    item = await get_item(session, code)
    if item.status != "published":
        raise ItemNotFound("No such item.")
    base = str(request.base_url).rstrip("/") + "/v1"
    document = exchange.cpsv(item, await department_name(session, item.department_code), base)
    return JSONResponse(document, media_type="application/ld+json")


@router.get("/agreements", summary="Cross-province agreements", **public())
async def list_agreements(session: SessionDep) -> list[AgreementRead]:
    """Every cross-province agreement (跨省通办), newest first."""
    rows = (await session.execute(select(Agreement).order_by(Agreement.signed_on.desc(), Agreement.id))).scalars()
    return [AgreementRead.model_validate(a) for a in rows]


@router.post("/agreements", status_code=201, summary="Record a cross-province agreement", dependencies=[ADMIN, DISTRICT],
             responses=problem_responses(401, 403, 409, 422))
async def create_agreement(body: AgreementCreate, session: SessionDep, clock: ClockDep,
                           idem: IdempotencyDep) -> AgreementRead:
    """Record an agreement with a partner region: signing date, mode and the items it covers."""
    known = set((await session.execute(select(Item.code).where(Item.code.in_(body.item_codes)))).scalars())
    unknown = [c for c in body.item_codes if c not in known]
    if unknown:
        raise Unprocessable.field("item_codes", f"no such items: {', '.join(unknown[:10])}")
    duplicate = (await session.execute(select(Agreement.id).where(
        Agreement.partner_region == body.partner_region, Agreement.signed_on == body.signed_on,
        Agreement.mode == body.mode))).first()
    if duplicate is not None:
        raise AgreementExists("This agreement is recorded already.")
    agreement = Agreement(**body.model_dump(), created_at=clock.now())
    session.add(agreement)
    await session.flush()
    return await idem.finish(session, AgreementRead.model_validate(agreement))
