"""The scoring rules: read any version, add a version (``credit:admin``), recompute every color."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from bianmin.credit.api.deps import EVERYONE, OPERATE, actor
from bianmin.credit.api.views import recompute_read, rules_read
from bianmin.credit.domain import ruleset
from bianmin.credit.domain.recompute import add_rule_version, recompute_all
from bianmin.credit.schemas import RecomputeRead, RulesCreate, RulesRead
from bianmin.credit.workers import wakeup_event
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, district_only, require_scopes

router = APIRouter(tags=["rules"])
# The rules and their recomputation are the whole district's: a township's credit:admin changes neither.
ADMIN = [require_scopes("credit:admin"), district_only()]


# The reads below take a write session and commit: ruleset writes version 1 (the defaults) on first use.
@router.get("/rules", dependencies=[EVERYONE], summary="The rules in force", responses=problem_responses(401))
async def current_rules(session: SessionDep, clock: ClockDep) -> RulesRead:
    """The rule version in force now: bands, kinds, bonuses, hard rules, upgrade, repair, eligibility."""
    rules = await ruleset.rules_at(session, clock.now())
    await session.commit()
    return rules_read(rules)


@router.get("/rules/versions", dependencies=[EVERYONE], summary="Every rule version", responses=problem_responses(401))
async def versions(session: SessionDep) -> list[RulesRead]:
    """Every rule version, newest first; each stays readable for reproducing past colors."""
    found = await ruleset.list_versions(session)
    await session.commit()
    return [rules_read(r) for r in found]


@router.get("/rules/{version}", dependencies=[EVERYONE], summary="One rule version", responses=problem_responses(401, 404, 422))
async def read_version(version: Annotated[int, Path(ge=1, le=1_000_000)], session: SessionDep) -> RulesRead:
    """One rule version."""
    found = await ruleset.rule_version(session, version)
    await session.commit()
    return rules_read(found)


@router.post("/rules", status_code=201, summary="Add a rule version", dependencies=[*ADMIN, OPERATE],
             responses=problem_responses(401, 403, 409, 422))
async def add_rules(body: RulesCreate, request: Request, session: SessionDep, who: PrincipalDep,
                    idem: IdempotencyDep, clock: ClockDep) -> RulesRead:
    """Add the next rule version, in force from now; every color is recomputed under it in the background
    (a ``rules:v<version>`` recompute run)."""
    added = await add_rule_version(session, body=ruleset.validate_body(body.body), note=body.note, now=clock.now(),
                                   by=actor(who))
    response = await idem.finish(session, rules_read(added))
    wakeup_event(request.app).set()
    return response


@router.post("/recomputations", summary="Recompute every color now", dependencies=[*ADMIN, OPERATE],
             responses=problem_responses(401, 403))
async def recompute(request: Request, clock: ClockDep) -> RecomputeRead:
    """Recompute every enterprise's color today (after a rule edit); only changes are written and announced."""
    result = await recompute_all(request.app.state.db.sessionmaker, now=clock.now(), trigger="manual")
    return recompute_read(result)
