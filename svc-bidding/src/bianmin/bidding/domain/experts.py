"""The expert pool and the verifiable random draw of a project's evaluation committee.

How a draw works, and how anyone checks it afterwards:

1. **Commit** (before the opening: the tender is a draft, published or closed). The platform
   draws a random 256-bit seed and stores it unseen; it shows only ``seed_commitment`` =
   SHA-256 (hex) over the seed's 32 raw bytes. At the same moment it freezes the **pool
   snapshot**: every active expert holding the specialty, as ``[{"code", "affiliations"}]``
   sorted by code (affiliations sorted), with ``pool_digest`` = SHA-256 over its canonical JSON.
   Experts joining or leaving the pool later do not change this draw.
2. **Draw** (after the bid deadline, when the bidders are known: closed, opening, opened or
   evaluating). The recusal set is every credit code registered for the project plus the
   tenderer's; an expert of the snapshot affiliated with any of them is excluded. The eligible
   experts are ordered by SHA-256 over ``"<seed hex>|<expert code>"`` (hex ascending, code on a
   tie) and the first ``count`` are drawn, in that order. The seed is revealed with the result.
3. **Verify**: ``draw_experts(seed, pool, recused, count)`` is a pure function; given the revealed
   seed, the snapshot and the recusal set, anyone recomputes the exclusions and the drawn experts,
   and checks the seed against the commitment and the snapshot against its digest.

Who sees what: the commitment, digest, specialty and count are public from the commit; the seed,
the snapshot, the exclusions and the drawn experts are shown to the managing site and supervisors
at once, and to everyone once evaluation is over (publicised, awarded or failed), so that bidders
cannot learn the committee while it evaluates.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.errors import (
    DrawExists,
    DrawMade,
    DrawNotFound,
    DrawNotMade,
    ExpertExists,
    ExpertNotFound,
    NoEvaluationCommittee,
    NotEnoughExperts,
    ProjectStatusForbids,
)
from bianmin.bidding.models import Expert, ExpertDraw, Project, Registration
from bianmin.bidding.schemas import ExpertCreate
from bianmin.kit.errors import Unprocessable

COMMIT_STATUSES = frozenset({"draft", "published", "closed"})
DRAW_STATUSES = frozenset({"closed", "opening", "opened", "evaluating"})
PUBLIC_STATUSES = frozenset({"publicised", "awarded", "failed", "cancelled"})


class DrawError(ValueError):
    """A draw that cannot be made: fewer eligible experts than the committee needs."""


@dataclass(frozen=True)
class DrawResult:
    """The outcome of a draw: who was excluded for an affiliation, and who was drawn, in order."""

    excluded: list[str]
    drawn: list[str]


def seed_commitment(seed: str) -> str:
    """The commitment to a seed: SHA-256 (hex) over its 32 raw bytes."""
    return hashlib.sha256(bytes.fromhex(seed)).hexdigest()


def pool_digest(pool: list[dict[str, Any]]) -> str:
    """SHA-256 (hex) over the canonical JSON of a pool snapshot."""
    encoded = json.dumps(pool, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def draw_experts(seed: str, pool: list[dict[str, Any]], recused: list[str], count: int) -> DrawResult:
    """Exclude experts affiliated with a recused credit code and draw ``count`` of the rest by the seed."""
    barred = set(recused)
    excluded = sorted(e["code"] for e in pool if barred.intersection(e["affiliations"]))
    eligible = [e["code"] for e in pool if e["code"] not in excluded]
    if len(eligible) < count:
        raise DrawError(f"{len(eligible)} eligible expert(s) for a committee of {count}")
    order = sorted(eligible, key=lambda code: (hashlib.sha256(f"{seed}|{code}".encode()).hexdigest(), code))
    return DrawResult(excluded=excluded, drawn=order[:count])


def verify_draw(draw: ExpertDraw) -> dict[str, Any]:
    """Recompute a revealed draw from its seed, snapshot and recusal set, and say what matches."""
    if draw.seed is None or draw.pool is None or draw.drawn is None:
        raise DrawNotMade("The draw has not been made yet; its seed is still sealed.")
    result = draw_experts(draw.seed, draw.pool, draw.recused_credit_codes or [], draw.count)
    checks = {
        "seed_matches_commitment": seed_commitment(draw.seed) == draw.seed_commitment,
        "pool_matches_digest": pool_digest(draw.pool) == draw.pool_digest,
        "exclusions_match": result.excluded == (draw.excluded or []),
        "drawn_match": result.drawn == draw.drawn,
    }
    return {"valid": all(checks.values()), "checks": checks, "recomputed_excluded": result.excluded,
            "recomputed_drawn": result.drawn}


async def add_expert(session: AsyncSession, body: ExpertCreate) -> Expert:
    """Add an expert to the pool; 409 when the code is taken."""
    if (await session.execute(select(Expert.id).where(Expert.code == body.code))).first():
        raise ExpertExists(f"Expert {body.code} exists.")
    specialties = sorted({s.strip() for s in body.specialties})
    if "" in specialties:
        raise Unprocessable.field("specialties", "must not be blank")
    expert = Expert(code=body.code, name=body.name, specialties=specialties,
                    affiliations=sorted(set(body.affiliations)), active=True)
    session.add(expert)
    await session.flush()
    return expert


async def get_expert(session: AsyncSession, code: str) -> Expert:
    """The expert with ``code``; 404 otherwise."""
    expert = (await session.execute(select(Expert).where(Expert.code == code))).scalar_one_or_none()
    if expert is None:
        raise ExpertNotFound(f"No expert {code}.")
    return expert


async def list_experts(session: AsyncSession, *, specialty: str | None = None) -> list[Expert]:
    """The pool's experts by code, optionally only those of one specialty."""
    rows = (await session.execute(select(Expert).order_by(Expert.code))).scalars()
    return [e for e in rows if specialty is None or specialty in e.specialties]


async def deactivate(session: AsyncSession, code: str) -> Expert:
    """Take an expert out of draws committed from now on (snapshots already taken keep them)."""
    expert = await get_expert(session, code)
    expert.active = False
    await session.flush()
    return expert


async def draw_of(session: AsyncSession, project: Project) -> ExpertDraw | None:
    """The project's draw, if one was committed."""
    return (await session.execute(select(ExpertDraw).where(ExpertDraw.project_id == project.id))).scalar_one_or_none()


async def draw_for(session: AsyncSession, project: Project) -> ExpertDraw:
    """The project's committed draw; 404 when there is none."""
    draw = await draw_of(session, project)
    if draw is None:
        raise DrawNotFound(f"Project {project.code} has no expert draw.")
    return draw


async def commit(session: AsyncSession, project: Project, *, specialty: str, count: int, now: datetime) -> ExpertDraw:
    """Commit to a seed and freeze the pool snapshot before the opening."""
    if project.status not in COMMIT_STATUSES:
        raise ProjectStatusForbids("A draw is committed before the opening.")
    if project.method == "direct" or project.category in ("land_use", "state_property"):
        raise NoEvaluationCommittee("Only tenders evaluated by a committee draw experts.")
    if await draw_of(session, project) is not None:
        raise DrawExists(f"Project {project.code} has a committed draw already.")
    experts = (await session.execute(select(Expert).where(Expert.active.is_(True)).order_by(Expert.code))).scalars()
    pool = [{"code": e.code, "affiliations": sorted(e.affiliations)} for e in experts if specialty in e.specialties]
    if len(pool) < count:
        raise Unprocessable.field("count", f"the pool holds {len(pool)} active expert(s) of {specialty}")
    seed = secrets.token_hex(32)
    draw = ExpertDraw(project_id=project.id, specialty=specialty, count=count, seed_commitment=seed_commitment(seed),
                      seed=seed, committed_at=now, pool=pool, pool_digest=pool_digest(pool))
    session.add(draw)
    await session.flush()
    return draw


async def perform(session: AsyncSession, project: Project, *, now: datetime) -> ExpertDraw:
    """Make the committed draw once the bidders are known, recusing anyone affiliated with them."""
    draw = await draw_of(session, project)
    if draw is None:
        raise DrawNotFound(f"Project {project.code} has no committed draw.")
    if draw.drawn is not None:
        raise DrawMade("The draw has been made already.")
    if project.status not in DRAW_STATUSES:
        raise ProjectStatusForbids("The draw is made after the bid deadline and before the candidates are publicised.")
    codes = set((await session.execute(select(Registration.credit_code)
                                        .where(Registration.project_id == project.id))).scalars())
    recused = sorted(codes | {project.tenderer_credit_code})
    assert draw.seed is not None
    assert draw.pool is not None
    try:
        result = draw_experts(draw.seed, draw.pool, recused, draw.count)
    except DrawError as exc:
        raise NotEnoughExperts(f"The draw cannot be made: {exc}.") from exc
    draw.recused_credit_codes, draw.excluded, draw.drawn, draw.drawn_at = recused, result.excluded, result.drawn, now
    await session.flush()
    return draw
