"""Bulk import and export of the catalog (JSON, CSV), CPSV-AP JSON-LD, cross-province agreements."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bianmin.catalog.api.deps import ADMIN, DISTRICT, EDITORS, EVERYONE, OPERATORS, ensure_edits
from bianmin.catalog.api.views import export_view
from bianmin.catalog.domain import exchange
from bianmin.catalog.domain.people import actor
from bianmin.catalog.domain.sites import departments
from bianmin.catalog.schemas import AgreementCreate, AgreementRead, CatalogExport, CatalogImport, ImportResult
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import PROBLEM_JSON, PROBLEM_REF, Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, public

router = APIRouter(tags=["exchange"])


class JsonLdResponse(JSONResponse):
    """JSON-LD: a JSON body under its own media type, so linked-data clients read its ``@context``."""

    media_type = "application/ld+json"


@router.post("/catalog/import", summary="Import the catalog (JSON)", dependencies=[ADMIN, DISTRICT, EDITORS],
             responses=problem_responses(401, 403, 409, 422))
async def import_catalog(body: CatalogImport, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> ImportResult:
    """Upsert departments and items in one transaction; an unchanged item is left alone (safe to repeat)."""
    ensure_edits(who, None)
    codes = [i.code for i in body.items]
    if len(set(codes)) != len(codes):
        raise Unprocessable.field("items", "an item code appears twice")
    result = await exchange.import_catalog(session, body, by=actor(who), now=clock.now())
    await session.commit()
    return result


@router.post("/catalog/import/csv", summary="Import the items' flat fields (CSV)",
             dependencies=[ADMIN, DISTRICT, EDITORS],
             openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}},
             responses=problem_responses(401, 403, 409, 422))
async def import_csv(request: Request, session: SessionDep, who: PrincipalDep, clock: ClockDep) -> ImportResult:
    """Create or change items from the flat-field CSV of the export; materials and aliases stay as they are."""
    ensure_edits(who, None)
    try:
        text = (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unprocessable.field("csv", "must be UTF-8") from exc
    body = await exchange.catalog_from_csv(session, text)
    codes = [i.code for i in body.items]
    if len(set(codes)) != len(codes):
        raise Unprocessable.field("csv", "an item code appears twice")
    result = await exchange.import_catalog(session, body, by=actor(who), now=clock.now())
    await session.commit()
    return result


@router.get("/catalog/export", summary="Export the catalog (JSON or CSV)", dependencies=[ADMIN, EDITORS],
            response_model=CatalogExport,
            responses={**problem_responses(401, 403), 200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
async def export_catalog(session: ReadSessionDep, format: Literal["json", "csv"] = "json") -> CatalogExport | Response:
    """Every item and department: JSON in the import's own shape, or the items' flat fields as CSV."""
    items = await exchange.all_items(session)
    if format == "csv":
        return Response(exchange.to_csv(items), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="catalog.csv"'})
    return export_view(await departments(session), items)


# The 404 is spelled out: with a model, FastAPI would also list it under the route's own media type (JSON-LD).
@router.get("/items/{code}/cpsv", summary="An item in CPSV-AP JSON-LD", **public(), dependencies=[EVERYONE],
            response_class=JsonLdResponse,
            responses={404: {"description": "Not Found", "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}}})
async def item_cpsv(code: str, request: Request, session: ReadSessionDep) -> dict[str, Any]:
    """The item as a CPSV-AP PublicService (JSON-LD), for exchange with other catalogues."""
    return await exchange.published_cpsv(session, code, base_url=str(request.base_url).rstrip("/") + "/v1")


@router.get("/agreements", summary="Cross-province agreements", **public(), dependencies=[EVERYONE])
async def list_agreements(session: ReadSessionDep) -> list[AgreementRead]:
    """Every cross-province agreement (跨省通办), newest first."""
    return [AgreementRead.model_validate(a) for a in await exchange.agreements(session)]


@router.post("/agreements", status_code=201, summary="Record a cross-province agreement",
             dependencies=[ADMIN, DISTRICT, OPERATORS],
             responses=problem_responses(401, 403, 409, 422))
async def create_agreement(body: AgreementCreate, session: SessionDep, clock: ClockDep,
                           idem: IdempotencyDep) -> AgreementRead:
    """Record an agreement with a partner region: signing date, mode and the items it covers."""
    agreement = await exchange.create_agreement(session, body, now=clock.now())
    return await idem.finish(session, AgreementRead.model_validate(agreement))
