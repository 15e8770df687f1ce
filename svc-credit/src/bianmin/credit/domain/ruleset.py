"""Rule versions: the defaults are version 1, an operator's edit adds the next version.

A version applies from its ``valid_from`` moment on; the rules of a past date are the newest
version whose ``valid_from`` falls on or before the end of that date in Asia/Shanghai, which is
how ``?as_of=`` reproduces a past color. Version 1 (the defaults of :mod:`.rules`) is written on
first use with ``valid_from`` at the epoch, so it governs every date before the first edit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.credit.domain.errors import InvalidRules, RuleVersionNotFound
from bianmin.credit.domain.rules import DEFAULT_RULES, RuleBody
from bianmin.credit.models import RuleSet
from bianmin.kit.errors import FieldProblem
from bianmin.kit.workdays import SHANGHAI

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Rules:
    """A validated rule body with its version."""

    version: int
    body: RuleBody
    valid_from: datetime
    note: str


def end_of_day(day: date) -> datetime:
    """The last instant of a Shanghai calendar day, as an aware time."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=SHANGHAI) - timedelta(microseconds=1)


async def ensure_defaults(session: AsyncSession) -> None:
    """Write version 1 (the defaults) unless it exists; safe when replicas race."""
    if await session.scalar(select(func.count()).select_from(RuleSet)):
        return
    values = {"version": 1, "body": DEFAULT_RULES.model_dump(mode="json"), "note": "defaults",
              "valid_from": EPOCH, "created_at": datetime.now(UTC), "created_by": "system"}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    await session.execute(insert(RuleSet).values(**values).on_conflict_do_nothing(index_elements=["version"]))


def _to_rules(row: RuleSet) -> Rules:
    return Rules(version=row.version, body=RuleBody.model_validate(row.body), valid_from=row.valid_from,
                 note=row.note)


async def rules_at(session: AsyncSession, moment: datetime) -> Rules:
    """The rule version in force at ``moment``."""
    await ensure_defaults(session)
    row = await session.scalar(select(RuleSet).where(RuleSet.valid_from <= moment)
                               .order_by(RuleSet.version.desc()).limit(1))
    if row is None:
        row = await session.scalar(select(RuleSet).where(RuleSet.version == 1))
    assert row is not None
    return _to_rules(row)


async def rules_on(session: AsyncSession, day: date) -> Rules:
    """The rule version in force at the end of a calendar day."""
    return await rules_at(session, end_of_day(day))


async def rule_version(session: AsyncSession, version: int) -> Rules:
    """One rule version; 404 when there is none."""
    await ensure_defaults(session)
    row = await session.get(RuleSet, version)
    if row is None:
        raise RuleVersionNotFound(f"There is no rule version {version}.")
    return _to_rules(row)


async def list_versions(session: AsyncSession) -> list[Rules]:
    """Every rule version, newest first."""
    await ensure_defaults(session)
    rows = (await session.scalars(select(RuleSet).order_by(RuleSet.version.desc()))).all()
    return [_to_rules(row) for row in rows]


def validate_body(raw: object) -> RuleBody:
    """A rule body from client JSON; 422 naming every field that breaks a bound."""
    try:
        return RuleBody.model_validate(raw)
    except ValidationError as exc:
        errors = [FieldProblem(field=".".join(str(p) for p in ("body", *e["loc"])) if e["loc"] else "body",
                               reason=e["msg"]) for e in exc.errors()]
        raise InvalidRules("; ".join(f"{e.field}: {e.reason}" for e in errors[:5]), errors=errors) from exc


async def add_version(session: AsyncSession, *, body: RuleBody, note: str, now: datetime, by: str) -> Rules:
    """Add the next rule version, in force from ``now``; older versions stay for reproduction."""
    await ensure_defaults(session)
    latest = await session.scalar(select(func.max(RuleSet.version)))
    row = RuleSet(version=(latest or 0) + 1, body=body.model_dump(mode="json"), note=note, valid_from=now,
                  created_at=now, created_by=by)
    session.add(row)
    await session.flush()
    return _to_rules(row)
