"""Bulk import and export of the catalog, the CPSV-AP JSON-LD view of an item, cross-province agreements.

Import is an upsert keyed by the implementation code, in one transaction: a new item is created
(revision 1), an existing one is changed as a new revision only when a field differs, and its
status is then moved to the requested one by the ordinary status flow (so importing a withdrawn
item as published is a 409, and every change emits the events an editor's change would). Running
the same import twice changes nothing the second time. Export writes every item as JSON (the
import's own shape, so an export can be imported elsewhere) or its flat fields as CSV.

CPSV-AP (the EU Core Public Service Vocabulary, Application Profile 3.x) maps an item to a
``cpsv:PublicService`` with its competent authority, channels, evidences (materials), cost,
processing time and the cross-border scope as a requirement.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.errors import AgreementExists, ItemNotFound
from bianmin.catalog.domain.items import change_status, create_items, department_name, get_item, snapshot, update_item
from bianmin.catalog.domain.sites import upsert_department
from bianmin.catalog.models import Agreement, Department, Item
from bianmin.catalog.schemas import AgreementCreate, CatalogImport, ImportResult, ItemExport, ItemFields, ItemImport
from bianmin.kit.errors import Unprocessable

CSV_FIELDS = ("code", "basic_code", "name", "type", "department_code", "target_group", "exercise_level",
              "legal_limit_days", "promised_limit_days", "fee", "fee_basis", "channels", "appointment",
              "cross_province_mode", "auto_approve", "status", "revision")
# The status moves an import may need, in order, from each status to reach each target.
ROUTES: dict[tuple[str, str], list[str]] = {
    ("draft", "published"): ["published"], ("draft", "withdrawn"): ["withdrawn"],
    ("draft", "suspended"): ["published", "suspended"], ("published", "suspended"): ["suspended"],
    ("published", "withdrawn"): ["withdrawn"], ("suspended", "published"): ["published"],
    ("suspended", "withdrawn"): ["withdrawn"],
}


async def import_catalog(session: AsyncSession, data: CatalogImport, *, by: str, now: datetime) -> ImportResult:
    """Apply a bulk import; see the module docstring for the rules."""
    result = ImportResult(departments=0, created=0, updated=0, status_changed=0, unchanged=0)
    for department in data.departments:
        existing = await session.get(Department, department.code)
        if existing is None or existing.name != department.name:
            await upsert_department(session, department.code, department.name, now=now)
            result.departments += 1
    existing_items = {i.code: i for i in (await session.execute(
        select(Item).where(Item.code.in_([i.code for i in data.items])))).scalars()}
    fresh = [e for e in data.items if e.code not in existing_items]
    created = await create_items(session, [(e, "published" if e.status == "published" else "draft") for e in fresh],
                                 by=by, now=now)
    result.created = len(created)
    existing_items.update({i.code: i for i in created})
    new_codes = {i.code for i in created}
    for entry in data.items:
        item = existing_items[entry.code]
        fields = entry.model_dump(exclude={"code", "status"})
        if entry.code not in new_codes:
            current = snapshot(item)
            wanted = ItemFields.model_validate(fields).model_dump(mode="json", exclude_none=True)
            if "fee" in wanted:
                wanted["fee"] = str(Decimal(wanted["fee"]).quantize(Decimal("0.01")))
            changed = {k: v for k, v in wanted.items() if current.get(k) != v}
            if changed:
                await update_item(session, item, ItemFields.model_validate({k: fields[k] for k in changed}),
                                  by=by, now=now)
                result.updated += 1
            elif item.status == entry.status:
                result.unchanged += 1
        if item.status != entry.status:
            for step in ROUTES.get((item.status, entry.status), [entry.status]):
                await change_status(session, item, step, by=by, now=now)
            result.status_changed += 1
    return result


async def all_items(session: AsyncSession) -> list[Item]:
    """Every item in code order."""
    return list((await session.execute(select(Item).order_by(Item.code))).scalars())


async def catalog_from_csv(session: AsyncSession, text: str) -> CatalogImport:
    """A bulk import from a flat-field CSV: each row over the item's current fields (so materials and aliases stay).

    422 names the row and column of a malformed or invalid cell (``rows.<n>.<field>``).
    """
    entries = from_csv(text)
    existing = {i.code: i for i in (await session.execute(
        select(Item).where(Item.code.in_([e["code"] for e in entries])))).scalars()}
    items = []
    for number, entry in enumerate(entries, start=1):
        current = existing.get(entry["code"])
        base = ItemExport.model_validate(current).model_dump(mode="json") if current is not None else {}
        try:
            items.append(ItemImport.model_validate({**base, **entry}))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise Unprocessable.field(f"rows.{number}.{'.'.join(str(p) for p in first['loc'])}", first["msg"]) from exc
    return CatalogImport(items=items)


def to_csv(items: list[Item]) -> str:
    """The flat fields of items as CSV (UTF-8, header row, channels joined by ``|``)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for item in items:
        row = snapshot(item)
        row["channels"] = "|".join(item.channels)
        writer.writerow(["" if row.get(f) is None else row.get(f) for f in CSV_FIELDS])
    return out.getvalue()


def from_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a flat-field CSV as import entries (channels split on ``|``; empty cells left out).

    Raises :class:`Unprocessable` naming the row and column of a malformed cell; the entries are
    validated as :class:`ItemImport` by the caller.
    """
    # newline="": the csv module reads line ends itself; a lone "\r" would otherwise break a field.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _entries(reader)
    except csv.Error as exc:
        raise Unprocessable.field("csv", f"line {reader.line_num}: {exc}") from exc


def _entries(reader: csv.DictReader[str]) -> list[dict[str, Any]]:
    if reader.fieldnames is None or "code" not in reader.fieldnames:
        raise Unprocessable.field("csv", "needs a header row with at least a code column")
    unknown = sorted(set(reader.fieldnames) - set(CSV_FIELDS))
    if unknown:
        raise Unprocessable.field("csv", f"unknown columns: {', '.join(unknown)}")
    entries: list[dict[str, Any]] = []
    for row in reader:
        entry: dict[str, Any] = {k: v for k, v in row.items() if k not in ("revision", None) and v not in ("", None)}
        if "channels" in entry:
            entry["channels"] = entry["channels"].split("|")
        for flag in ("appointment", "auto_approve"):
            if flag in entry:
                entry[flag] = entry[flag].lower() in ("true", "1", "yes")
        entries.append(entry)
    return entries


async def published_cpsv(session: AsyncSession, code: str, *, base_url: str) -> dict[str, Any]:
    """A published item as CPSV-AP JSON-LD; 404 for an item the public cannot see."""
    item = await get_item(session, code)
    if item.status != "published":
        raise ItemNotFound("No such item.")
    return cpsv(item, await department_name(session, item.department_code), base_url)


async def agreements(session: AsyncSession) -> list[Agreement]:
    """Every cross-province agreement, newest first."""
    return list((await session.execute(select(Agreement).order_by(Agreement.signed_on.desc(), Agreement.id))).scalars())


async def create_agreement(session: AsyncSession, data: AgreementCreate, *, now: datetime) -> Agreement:
    """Record an agreement; 422 naming the unknown items, 409 when the same one is recorded already."""
    known = set((await session.execute(select(Item.code).where(Item.code.in_(data.item_codes)))).scalars())
    unknown = [c for c in data.item_codes if c not in known]
    if unknown:
        raise Unprocessable.field("item_codes", f"no such items: {', '.join(unknown[:10])}")
    duplicate = (await session.execute(select(Agreement.id).where(
        Agreement.partner_region == data.partner_region, Agreement.signed_on == data.signed_on,
        Agreement.mode == data.mode))).first()
    if duplicate is not None:
        raise AgreementExists("This agreement is recorded already.")
    agreement = Agreement(**data.model_dump(), created_at=now)
    session.add(agreement)
    await session.flush()
    return agreement


def _duration(days: int) -> str:
    return f"P{days}D"


def cpsv(item: Item, department_name: str, base_url: str) -> dict[str, Any]:
    """The item as a CPSV-AP ``PublicService`` in JSON-LD."""
    uri = f"{base_url}/items/{item.code}"
    service: dict[str, Any] = {
        "@context": {
            "cpsv": "http://purl.org/vocab/cpsv#", "dct": "http://purl.org/dc/terms/",
            "cv": "http://data.europa.eu/m8g/", "skos": "http://www.w3.org/2004/02/skos/core#",
            "adms": "http://www.w3.org/ns/adms#", "dcat": "http://www.w3.org/ns/dcat#",
        },
        "@id": uri, "@type": "cpsv:PublicService",
        "dct:identifier": item.code,
        "adms:identifier": {"@type": "adms:Identifier", "skos:notation": item.basic_code,
                            "dct:creator": "national basic code (基本编码)"},
        "dct:title": {"@value": item.name, "@language": "zh"},
        "dcat:keyword": [{"@value": k, "@language": "zh"} for k in [*item.aliases, *item.keywords]],
        "dct:type": item.type,
        "adms:status": item.status,
        "cv:hasCompetentAuthority": {"@id": f"{base_url}/departments/{item.department_code}",
                                     "@type": "cv:PublicOrganisation",
                                     "skos:prefLabel": {"@value": department_name, "@language": "zh"}},
        "cv:processingTime": _duration(item.promised_limit_days),
        "cv:hasLegalResource": {"@type": "eli:LegalResource", "dct:description": f"法定时限 {item.legal_limit_days} 个工作日"},
        "cv:isGroupedBy": {"@type": "cv:Event", "dct:type": "legal person" if item.target_group == "legal"
                           else "natural person" if item.target_group == "natural" else "natural or legal person"},
        "cv:hasChannel": [{"@id": f"{uri}#channel-{c}", "@type": "cv:Channel", "dct:type": c} for c in item.channels],
        "cv:hasCost": {"@id": f"{uri}#cost", "@type": "cv:Cost", "cv:value": str(item.fee), "cv:currency": "CNY",
                       "dct:description": item.fee_basis},
        "cpsv:hasInput": [{"@id": f"{uri}#evidence-{n}", "@type": "cv:Evidence", "dct:title": {"@value": m["name"],
                                                                                              "@language": "zh"},
                           "dct:description": ("required" if m.get("required") else "optional")
                           + (", an electronic licence can replace it" if m.get("e_licence") else "")}
                          for n, m in enumerate(item.materials, start=1)],
        "cv:holdsRequirement": [],
    }
    if item.cross_province_mode is not None:
        service["cv:holdsRequirement"].append({
            "@type": "cv:Requirement", "dct:type": "cross-province handling (跨省通办)",
            "dct:description": item.cross_province_mode, "dct:spatial": item.cross_province_regions})
    if item.appointment:
        service["cv:holdsRequirement"].append({"@type": "cv:Requirement", "dct:type": "appointment available"})
    return service
