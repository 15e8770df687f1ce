"""A district's structure imported in one call: a CSV or JSON file of sites, all or nothing.

The file lists sites in any order: parents may come after their children (the import orders the
rows by hierarchy before writing) or already be stored. Each row is checked against the scheme of
:mod:`.sites` as if it were posted alone, against the stored sites and the file's other rows: a
code listed twice, an unknown parent, a code of the wrong shape or one not extending its parent's,
a parent of the wrong level, a site closing while an open one stays under it. Any problem is a
422 naming every bad row and field as ``sites.<row>.<field>`` (rows counted from 0, the first under
the CSV header or the first of the JSON list) and nothing is written. Otherwise existing codes
are updated (their level cannot change), new ones created, parents first, and each site that
changed is announced; the answer counts sites created, updated and unchanged.

CSV: UTF-8 (a byte-order mark is ignored), a header row naming the columns ``code, name, level,
parent_code, lat, lng`` (required) and any of ``address, opening_hours, phone, kind`` (a
terminal's) and ``active`` (``true``/``false``, open by default); an empty cell is a field left out.
JSON: ``{"sites": [...]}`` with the fields of ``POST /v1/sites``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.site_codes import Placed, Problem, refuse, refused, site_problems, tenant_of
from bianmin.catalog.domain.sites import announce, apply, open_children, placed
from bianmin.catalog.models import Site
from bianmin.catalog.schemas import SiteCreate, SiteImport, SiteImportResult
from bianmin.catalog.schemas.sites import MAX_IMPORT

REQUIRED = ("code", "name", "level", "lat", "lng")
COLUMNS = (*REQUIRED, "parent_code", "address", "opening_hours", "phone", "kind", "active")
CHUNK = 500  # codes per IN (...) query: well under SQLite's and asyncpg's limits on bound parameters


def _validation_problems(exc: ValidationError, *prefix: str) -> list[Problem]:
    """Each invalid field of a validation error as (``sites.<row>.<field>``, reason)."""
    return [(".".join([*prefix, *(str(p) for p in e["loc"])]) or "sites", e["msg"]) for e in exc.errors()]


def from_json(body: bytes) -> list[SiteCreate]:
    """The sites of a JSON import body; 422 naming each invalid field as ``sites.<row>.<field>``."""
    try:
        return SiteImport.model_validate_json(body).sites
    except ValidationError as exc:
        raise refused(_validation_problems(exc)) from exc


def from_csv(data: bytes) -> list[SiteCreate]:
    """The sites of a CSV file; 422 naming the header's problem (``csv``) or each invalid cell (``sites.<row>.<field>``)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refused([("csv", "must be UTF-8")]) from exc
    # newline="": the csv module reads line ends itself; a lone "\r" would otherwise break a field.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED if c not in header]
        unknown = sorted(set(header) - set(COLUMNS))
        refuse(([("csv", f"the header lacks {', '.join(missing)}")] if missing else [])
               + ([("csv", f"unknown columns: {', '.join(unknown)}")] if unknown else []))
        rows = list(reader)
    except csv.Error as exc:
        raise refused([("csv", f"line {reader.line_num}: {exc}")]) from exc
    if not rows:
        refuse([("sites", "the file lists no site")])
    if len(rows) > MAX_IMPORT:
        refuse([("sites", f"at most {MAX_IMPORT} sites in one file")])
    sites: list[SiteCreate] = []
    problems: list[Problem] = []
    for index, row in enumerate(rows):
        if None in row:
            problems.append((f"sites.{index}", "has more cells than the header has columns"))
            continue
        try:
            sites.append(SiteCreate.model_validate({k: v for k, v in row.items() if v not in ("", None)}))
        except ValidationError as exc:
            problems += _validation_problems(exc, "sites", str(index))
    refuse(problems)
    return sites


def by_hierarchy(rows: Sequence[SiteCreate]) -> tuple[list[int], list[Problem]]:
    """The rows' indexes with each row's parent (when the file lists it) before it, else in file order; and any loop."""
    index_of = {row.code: i for i, row in enumerate(rows)}
    depth: dict[int, int] = {}
    problems: list[Problem] = []
    for start in range(len(rows)):
        chain: list[int] = []
        at: int | None = start
        while at is not None and at not in depth and at not in chain:
            chain.append(at)
            at = index_of.get(rows[at].parent_code or "")
        if at is not None and at not in depth:  # back at a row of this chain: its parents loop
            problems.append((f"sites.{at}.parent_code", "the file's parents form a loop"))
            depth.update(dict.fromkeys(chain, 0))
            continue
        level = depth[at] + 1 if at is not None else 0
        for row in reversed(chain):
            depth[row] = level
            level += 1
    return sorted(range(len(rows)), key=lambda i: (depth[i], i)), problems


async def stored_sites(session: AsyncSession, codes: set[str]) -> dict[str, Site]:
    """The stored sites among ``codes``."""
    ordered = sorted(codes)
    found: dict[str, Site] = {}
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        found.update({s.code: s for s in (await session.execute(select(Site).where(Site.code.in_(chunk)))).scalars()})
    return found


async def import_sites(session: AsyncSession, rows: Sequence[SiteCreate], *, districts: Sequence[str],
                       now: datetime) -> SiteImportResult:
    """Check every row, then write them parents first and announce each change; see the module docstring."""
    first: dict[str, int] = {}
    problems: list[Problem] = []
    for i, row in enumerate(rows):
        if row.code in first:
            problems.append((f"sites.{i}.code", f"{row.code} is listed twice (row {first[row.code]} too)"))
        first.setdefault(row.code, i)
    refuse(problems)
    order, problems = by_hierarchy(rows)
    stored = await stored_sites(session, set(first) | {r.parent_code for r in rows if r.parent_code})
    known: dict[str, Placed] = {code: p for code, site in stored.items() if (p := placed(site)) is not None}
    tenants: dict[int, str] = {}
    for i in order:
        row, existing = rows[i], stored.get(rows[i].code)
        parent = known.get(row.parent_code) if row.parent_code else None
        problems += [(f"sites.{i}.{field}", reason) for field, reason in site_problems(
            row, row.code, parent=parent, existing_level=existing.level if existing else None,
            districts=None if existing else districts)]
        tenants[i] = tenant_of(row.code, row.level, parent)
        known[row.code] = Placed(code=row.code, level=row.level, tenant=tenants[i], active=row.active)
    problems += await _closing_problems(session, rows)
    refuse(problems)
    result = SiteImportResult(created=0, updated=0, unchanged=0)
    for i in order:
        row, site = rows[i], stored.get(rows[i].code)
        if site is None:
            site = Site(code=row.code, created_at=now, updated_at=now)
            apply(site, row, tenants[i])
            session.add(site)
            result.created += 1
        elif apply(site, row, tenants[i]):
            site.updated_at = now
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        await session.flush()
        await announce(session, site)
    return result


async def _closing_problems(session: AsyncSession, rows: Sequence[SiteCreate]) -> list[Problem]:
    """A row closing a site while an open site stays under it, stored or in the file."""
    in_file = {row.code: row for row in rows}
    closing = [i for i, row in enumerate(rows) if not row.active]
    if not closing:
        return []
    under: dict[str, set[str]] = {}
    for parent, codes in (await open_children(session, [rows[i].code for i in closing])).items():
        under.setdefault(parent, set()).update(c for c in codes if c not in in_file)
    for row in rows:
        if row.active and row.parent_code:
            under.setdefault(row.parent_code, set()).add(row.code)
    return [(f"sites.{i}.active", f"open sites still stand under {rows[i].code}: {', '.join(sorted(under[rows[i].code]))}")
            for i in closing if under.get(rows[i].code)]
