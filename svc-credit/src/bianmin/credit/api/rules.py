"""The scoring rules: read any version, add a version (``credit:admin``), recompute every color."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from sqlalchemy.exc import IntegrityError

from bianmin.credit.api.deps import actor
from bianmin.credit.domain import ruleset
from bianmin.credit.domain.errors import RulesEditedConcurrently
from bianmin.credit.recompute import recompute_all, request_rules_run, wakeup_event
from bianmin.credit.schemas import RecomputeRead, RulesCreate, RulesRead
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, district_only, require_scopes

router = APIRouter(tags=["rules"])
# The rules and their recomputation are the whole district's: a township's credit:admin changes neither.
ADMIN = [require_scopes("credit:admin"), district_only()]


def rules_read(rules: ruleset.Rules) -> RulesRead:
    """The API view of a rule version."""
    return RulesRead(version=rules.version, valid_from=rules.valid_from, note=rules.note, body=rules.body)


@router.get("/rules", summary="The rules in force", responses=problem_responses(401))
async def current_rules(session: SessionDep, clock: ClockDep) -> RulesRead:
    """The rule version in force now: bands, kinds, bonuses, hard rules, upgrade, repair, eligibility."""
    rules = await ruleset.rules_at(session, clock.now())
    await session.commit()
    return rules_read(rules)


@router.get("/rules/versions", summary="Every rule version", responses=problem_responses(401))
async def versions(session: SessionDep) -> list[RulesRead]:
    """Every rule version, newest first; each stays readable for reproducing past colors."""
    found = await ruleset.list_versions(session)
    await session.commit()
    return [rules_read(r) for r in found]


@router.get("/rules/{version}", summary="One rule version", responses=problem_responses(401, 404, 422))
async def read_version(version: Annotated[int, Path(ge=1, le=1_000_000)], session: SessionDep) -> RulesRead:
    """One rule version."""
    found = await ruleset.rule_version(session, version)
    await session.commit()
    return rules_read(found)


@router.post("/rules", status_code=201, summary="Add a rule version", dependencies=ADMIN,
             responses=problem_responses(401, 403, 409, 422))
async def add_rules(body: RulesCreate, request: Request, session: SessionDep, who: PrincipalDep,
                    idem: IdempotencyDep, clock: ClockDep) -> RulesRead:
    """Add the next rule version, in force from now; every color is recomputed under it in the background
    (a ``rules:v<version>`` recompute run)."""
    rules_body = ruleset.validate_body(body.body)
    try:
        added = await ruleset.add_version(session, body=rules_body, note=body.note, now=clock.now(), by=actor(who))
        await request_rules_run(session, version=added.version, now=clock.now())
        response = await idem.finish(session, rules_read(added))
    except IntegrityError as exc:
        raise RulesEditedConcurrently("Another rule version was added at the same moment; read the rules and retry.") from exc
    wakeup_event(request.app).set()
    return response


@router.post("/recomputations", summary="Recompute every color now", dependencies=ADMIN,
             responses=problem_responses(401, 403))
async def recompute(request: Request, clock: ClockDep) -> RecomputeRead:
    """Recompute every enterprise's color today (after a rule edit); only changes are written and announced."""
    result = await recompute_all(request.app.state.db.sessionmaker, now=clock.now(), trigger="manual")
    return RecomputeRead(day=result.day, rule_version=result.rule_version, enterprises=result.enterprises,
                         rescored=result.rescored, changes=result.changes)
