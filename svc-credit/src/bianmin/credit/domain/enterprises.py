"""Enterprises keyed by Unified Social Credit Code, one at a time or imported from CSV.

Decisions:
- A code must pass the GB 32100 check. A code registered before 2015 that fails it (a legacy
  code) is accepted only with ``legacy=true``, still 18 characters of the code alphabet, and the
  answer carries a warning; it is stored with ``legacy_code`` set.
- Creating an enterprise that exists is not an error when it is the same enterprise: an unnamed
  stub (made by an event about an enterprise nobody had registered) gets its name; the same name
  answers the existing row; another name is a 409 (renames go through PATCH).
- Every new enterprise is coded at once (base score, no records) and its first color is
  announced, so bidding and guarantee know every enterprise the credit service knows.
- The CSV import (header ``credit_code,name[,legacy]``, UTF-8, optional BOM) checks every row,
  reports each rejected row with its line number and reason, and inserts valid rows in batches of
  5,000, each batch one transaction of a few statements (no per-row round trip): one query for
  the known codes, one multi-row insert, one executemany of renames, the first colors' change rows
  and events in one insert each. It is idempotent on the credit code: a known code with the
  same name is ``unchanged``, with another name (or a stub) ``updated``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.credit.domain.coding import announce_first_colors, announce_first_colors_bulk, initial_outcome
from bianmin.credit.domain.errors import EnterpriseExists, EnterpriseNotFound, InvalidCreditCode
from bianmin.credit.domain.ruleset import Rules, rules_at
from bianmin.credit.domain.scoring import Outcome
from bianmin.credit.models import ColorChange, Enterprise
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identifiers import uscc_problem
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.schemas import canonical
from bianmin.kit.workdays import local_date

BATCH = 5000
MAX_NAME = 200
TRUE_WORDS = {"1", "true", "yes", "y"}
FALSE_WORDS = {"", "0", "false", "no", "n"}
TABLE = Enterprise.__table__


def code_problem(code: str, *, legacy: bool) -> tuple[str | None, str | None]:
    """(why the code is refused, warning to give) for a credit code and its legacy flag."""
    problem = uscc_problem(code)
    if problem is None:
        return None, None
    if problem == "check character does not match":
        if legacy:
            return None, "legacy credit code: its check character does not match GB 32100"
        return "check character does not match (send legacy=true for a legacy code)", None
    return problem, None


def check_name(name: str) -> str | None:
    """Why a name is refused, or None."""
    if not name.strip():
        return "must not be empty"
    if len(name) > MAX_NAME:
        return f"must be at most {MAX_NAME} characters"
    return None


async def get_enterprise(session: AsyncSession, code: str) -> Enterprise:
    """An enterprise by credit code; 404 when unknown."""
    enterprise = await session.scalar(select(Enterprise).where(Enterprise.credit_code == canonical(code)))
    if enterprise is None:
        raise EnterpriseNotFound(f"No enterprise has the credit code {code}.")
    return enterprise


async def credit_code_of(session: AsyncSession, enterprise_id: int) -> str:
    """The credit code of an enterprise known by its id (a record, bonus or change names the id)."""
    enterprise = await session.get(Enterprise, enterprise_id)
    assert enterprise is not None
    return enterprise.credit_code


async def list_enterprises(session: AsyncSession, page: PageParams, *,
                           color: str | None = None) -> tuple[list[Enterprise], str | None]:
    """A page of enterprises by credit code, optionally of one color (the color of the last recompute)."""
    query = select(Enterprise)
    if color is not None:
        query = query.where(Enterprise.color == color)
    return await paginate(session, query, page, keys=[Enterprise.credit_code])


async def color_changes(session: AsyncSession, enterprise: Enterprise,
                        page: PageParams) -> tuple[list[ColorChange], str | None]:
    """A page of an enterprise's color changes, newest first."""
    query = select(ColorChange).where(ColorChange.enterprise_id == enterprise.id)
    return await paginate(session, query, page, keys=[ColorChange.id], descending=True)


def _new(code: str, name: str | None, legacy: bool, now: datetime) -> Enterprise:
    return Enterprise(credit_code=code, name=name, legacy_code=legacy, created_at=now, updated_at=now)


async def _code_new(session: AsyncSession, enterprises: list[Enterprise], rules: Rules, now: datetime) -> None:
    await announce_first_colors(session, enterprises, initial_outcome(rules, local_date(now)), now=now)


async def register(session: AsyncSession, *, code: str, name: str, legacy: bool,
                   now: datetime) -> tuple[Enterprise, bool, str | None]:
    """Register an enterprise: (row, created, warning); 422 for a bad code, 409 for a clash."""
    code = canonical(code)
    problem, warning = code_problem(code, legacy=legacy)
    if problem is not None:
        raise InvalidCreditCode(problem)
    name_problem = check_name(name)
    if name_problem is not None:
        raise Unprocessable.field("name", name_problem)
    name = name.strip()
    existing = await session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    if existing is not None:
        if existing.name is None:
            existing.name, existing.legacy_code, existing.updated_at = name, legacy, now
            return existing, False, warning
        if existing.name == name:
            return existing, False, warning
        raise EnterpriseExists(f"{code} is registered as {existing.name}; rename it with PATCH.")
    enterprise = _new(code, name, legacy, now)
    session.add(enterprise)
    await _code_new(session, [enterprise], await rules_at(session, now), now)
    return enterprise, True, warning


async def ensure_stub(session: AsyncSession, code: str, *, now: datetime) -> Enterprise:
    """The enterprise of a code an event names, creating an unnamed stub when nobody registered it."""
    code = canonical(code)
    existing = await session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    if existing is not None:
        return existing
    legacy = uscc_problem(code) is not None
    enterprise = _new(code, None, legacy, now)
    session.add(enterprise)
    await _code_new(session, [enterprise], await rules_at(session, now), now)
    return enterprise


async def rename(session: AsyncSession, enterprise: Enterprise, *, name: str, now: datetime) -> Enterprise:
    """Change an enterprise's name."""
    problem = check_name(name)
    if problem is not None:
        raise Unprocessable.field("name", problem)
    enterprise.name, enterprise.updated_at = name.strip(), now
    await session.flush()
    return enterprise


@dataclass
class RejectedRow:
    """A CSV row that was not imported, and why."""

    line: int
    credit_code: str | None
    reason: str


@dataclass
class ImportReport:
    """What an import did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[RejectedRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    name: str
    legacy: bool


def parse_csv(text: str, report: ImportReport) -> list[_Row]:
    """Valid rows of an enterprise CSV; every invalid row goes into the report with its line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise Unprocessable.field("body", "the CSV is empty; expected a header credit_code,name[,legacy]") from None
    except csv.Error as exc:
        raise Unprocessable.field("body", f"line 1: {exc}") from exc
    if "credit_code" not in header or "name" not in header:
        raise Unprocessable.field("body", "the header must name the columns credit_code and name")
    at_code, at_name = header.index("credit_code"), header.index("name")
    at_legacy = header.index("legacy") if "legacy" in header else None
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            report.rows += 1
            report.rejected.append(RejectedRow(line=reader.line_num, credit_code=None, reason=f"unreadable: {exc}"))
            continue
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        report.rows += 1
        if len(cells) != len(header):
            report.rejected.append(RejectedRow(line, None, f"expected {len(header)} columns, found {len(cells)}"))
            continue
        code, name = canonical(cells[at_code]), cells[at_name].strip()
        legacy_text = cells[at_legacy].strip().lower() if at_legacy is not None else ""
        if legacy_text not in TRUE_WORDS | FALSE_WORDS:
            report.rejected.append(RejectedRow(line, code, "legacy must be true or false"))
            continue
        legacy = legacy_text in TRUE_WORDS
        problem, warning = code_problem(code, legacy=legacy)
        problem = problem and f"credit_code: {problem}"
        problem = problem or (f"name: {check_name(name)}" if check_name(name) else None)
        if problem is None and code in seen:
            problem = f"credit_code: repeats line {seen[code]}"
        if problem is not None:
            report.rejected.append(RejectedRow(line, code or None, problem))
            continue
        if warning is not None:
            report.warnings.append(RejectedRow(line, code, warning))
        seen[code] = line
        rows.append(_Row(line, code, name, legacy))
    return rows


async def import_batch(session: AsyncSession, rows: list[_Row], report: ImportReport, *, now: datetime,
                       first: Outcome) -> None:
    """Apply one batch of parsed rows in a few statements (the caller commits it as one transaction).

    One query finds the batch's known codes; new enterprises go in one multi-row insert with their
    first color (``first``, the blank outcome) and their ids returned, then their color-change rows
    and outbox events in one insert each; renames in one executemany. A code inserted by a
    concurrent import between the query and the insert is skipped by the insert and counted
    ``unchanged``.
    """
    conn = await session.connection()
    known = {code: (eid, name) for code, eid, name in await conn.execute(
        select(TABLE.c.credit_code, TABLE.c.id, TABLE.c.name).where(TABLE.c.credit_code.in_([r.code for r in rows])))}
    fresh: list[dict[str, Any]] = []
    renamed: list[dict[str, Any]] = []
    for row in rows:
        found = known.get(row.code)
        if found is None:
            fresh.append({"credit_code": row.code, "name": row.name, "legacy_code": row.legacy, "color": first.color,
                          "score": first.score, "rule_version": first.rule_version, "coded_at": now,
                          "created_at": now, "updated_at": now})
        elif found[1] == row.name:
            report.unchanged += 1
        else:
            renamed.append({"eid": found[0], "new_name": row.name})
            report.updated += 1
    if renamed:
        await conn.execute(update(TABLE).where(TABLE.c.id == bindparam("eid"))
                           .values(name=bindparam("new_name"), updated_at=now), renamed)
    if not fresh:
        return
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    inserted = (await conn.execute(
        dialect_insert(TABLE).on_conflict_do_nothing(index_elements=["credit_code"])
        .returning(TABLE.c.id, TABLE.c.credit_code, TABLE.c.name), fresh)).all()
    report.created += len(inserted)
    report.unchanged += len(fresh) - len(inserted)
    await announce_first_colors_bulk(session, [(eid, code, name) for eid, code, name in inserted], first, now=now)


def batches(rows: list[_Row]) -> list[list[_Row]]:
    """Rows in import batches."""
    return [rows[i:i + BATCH] for i in range(0, len(rows), BATCH)]
