"""Enterprises: register, import from CSV, read, rename, and their color, eligibility and history."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from bianmin.credit.api.deps import EVERYONE, RECORDER, REGISTER, STAFF_READ
from bianmin.credit.api.views import color_read, enterprise_read, import_report_read
from bianmin.credit.domain import enterprises
from bianmin.credit.domain.coding import explain, initial_outcome
from bianmin.credit.domain.errors import UnsupportedMediaType
from bianmin.credit.domain.ruleset import rules_at, rules_on
from bianmin.credit.schemas import (
    ActionParam,
    ColorChangeRead,
    ColorRead,
    EligibilityRead,
    EnterpriseCreate,
    EnterpriseRead,
    EnterpriseUpdate,
    ImportReportRead,
    PublicColorRead,
)
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import Unprocessable, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import district_only, public, require_scopes
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.policy import district_role
from bianmin.kit.workdays import local_date

router = APIRouter(tags=["enterprises"])
WRITE = [require_scopes("credit:write")]
# The register is shared: any site registers an enterprise it meets, only the district renames or bulk-loads it.
DISTRICT_WRITE = [*WRITE, district_only(), district_role(RECORDER)]
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}, "example":
            "credit_code,name,legacy\n91310110666007217T,便民区1号建设有限公司,false\n"}}}}


@router.post("/enterprises", status_code=201, summary="Register an enterprise", dependencies=[*WRITE, REGISTER],
             responses=problem_responses(401, 403, 409, 422))
async def register(body: EnterpriseCreate, session: SessionDep, idem: IdempotencyDep, clock: ClockDep) -> EnterpriseRead:
    """Register an enterprise by credit code (check character verified); 200 when it is already known."""
    enterprise, created, warning = await enterprises.register(
        session, code=body.credit_code, name=body.name, legacy=body.legacy, now=clock.now())
    await session.flush()
    return await idem.finish(session, enterprise_read(enterprise, warning), status_code=201 if created else 200)


@router.post("/enterprises/import", summary="Import enterprises from CSV", dependencies=[*DISTRICT_WRITE, REGISTER],
             responses=problem_responses(401, 403, 413, 415, 422), openapi_extra=CSV_BODY)
async def import_csv(request: Request, session: SessionDep, clock: ClockDep) -> ImportReportRead:
    """Import ``credit_code,name[,legacy]`` rows; each rejected row is reported with its line and reason."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("text/csv", "text/plain"):
        raise UnsupportedMediaType("Send the CSV with Content-Type: text/csv.")
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Unprocessable.field("body", f"not UTF-8 at byte {exc.start}") from exc
    report = enterprises.ImportReport()
    rows = enterprises.parse_csv(text, report)
    now = clock.now()
    first = initial_outcome(await rules_at(session, now), local_date(now))
    await session.commit()
    for batch in enterprises.batches(rows):
        await enterprises.import_batch(session, batch, report, now=now, first=first)
        await session.commit()
    return import_report_read(report)


@router.get("/enterprises", dependencies=[STAFF_READ], summary="List enterprises", responses=problem_responses(401, 422))
async def list_enterprises(session: ReadSessionDep, page: PageDep,
                           color: Annotated[str | None, Query(pattern="^(green|blue|yellow|orange|red)$")] = None,
                           ) -> Page[EnterpriseRead]:
    """Enterprises by credit code, optionally of one color (the color of the last recompute)."""
    rows, cursor = await enterprises.list_enterprises(session, page, color=color)
    return Page[EnterpriseRead](items=[enterprise_read(e) for e in rows], next_cursor=cursor)


@router.get("/enterprises/{code}", dependencies=[STAFF_READ], summary="Read an enterprise", responses=problem_responses(401, 404))
async def read_enterprise(code: str, session: ReadSessionDep) -> EnterpriseRead:
    """One enterprise and its current color."""
    return enterprise_read(await enterprises.get_enterprise(session, code))


@router.patch("/enterprises/{code}", summary="Rename an enterprise", dependencies=[*DISTRICT_WRITE, REGISTER],
              responses=problem_responses(401, 403, 404, 422))
async def rename(code: str, body: EnterpriseUpdate, session: SessionDep, clock: ClockDep) -> EnterpriseRead:
    """Change an enterprise's registered name."""
    enterprise = await enterprises.get_enterprise(session, code)
    await enterprises.rename(session, enterprise, name=body.name, now=clock.now())
    await session.commit()
    return enterprise_read(enterprise)


def _as_of(as_of: date | None, today: date) -> date:
    if as_of is None:
        return today
    if as_of > today:
        raise Unprocessable.field("as_of", "must not be in the future")
    return as_of


# A write session although it only reads: the rules in force are read through ruleset.rules_at, which
# writes version 1 (the defaults) on a fresh database, and a read-only session would refuse that insert.
@router.get("/enterprises/{code}/color", dependencies=[EVERYONE], summary="The color and how it was reached",
            responses=problem_responses(401, 404, 422))
async def color(code: str, session: SessionDep, clock: ClockDep,
                as_of: Annotated[date | None, Query(description="Reproduce the color of a past date.")] = None,
                ) -> ColorRead:
    """Color, score and rule version with every record and rule behind them, on today or ``as_of``."""
    enterprise = await enterprises.get_enterprise(session, code)
    outcome = await explain(session, enterprise, as_of=_as_of(as_of, local_date(clock.now())))
    return color_read(enterprise, outcome)


# A write session: the rules in force may be written on first use (see the color route).
@router.get("/enterprises/{code}/color/public", dependencies=[EVERYONE], summary="The color alone (public)",
            responses=problem_responses(404), **public())
async def public_color(code: str, session: SessionDep, clock: ClockDep) -> PublicColorRead:
    """The five-color code of an enterprise, for anyone (no records, no score)."""
    enterprise = await enterprises.get_enterprise(session, code)
    outcome = await explain(session, enterprise, as_of=local_date(clock.now()))
    return PublicColorRead(credit_code=enterprise.credit_code, name=enterprise.name, color=outcome.color)


# A write session: the rules in force may be written on first use (see the color route).
@router.get("/enterprises/{code}/eligibility", dependencies=[EVERYONE], summary="May it bid or obtain a guarantee?",
            responses=problem_responses(401, 404, 422))
async def eligibility(code: str, action: ActionParam, session: SessionDep, clock: ClockDep) -> EligibilityRead:
    """Allowed, review required or restricted for ``action``, with the reason, from the rules in force."""
    enterprise = await enterprises.get_enterprise(session, code)
    today = local_date(clock.now())
    outcome = await explain(session, enterprise, as_of=today)
    rules = await rules_on(session, today)
    permission = rules.body.eligibility[action][outcome.color]
    return EligibilityRead(credit_code=enterprise.credit_code, action=action, color=outcome.color,
                           decision=permission.decision, allowed=permission.decision != "restricted",
                           reason=permission.reason, rule_version=rules.version)


@router.get("/enterprises/{code}/color-changes", dependencies=[STAFF_READ], summary="History of color changes",
            responses=problem_responses(401, 404, 422))
async def color_changes(code: str, session: ReadSessionDep, page: PageDep) -> Page[ColorChangeRead]:
    """Every change of the enterprise's color with its reason, newest first."""
    enterprise = await enterprises.get_enterprise(session, code)
    rows, cursor = await enterprises.color_changes(session, enterprise, page)
    return Page[ColorChangeRead](items=[ColorChangeRead.model_validate(r) for r in rows], next_cursor=cursor)

