"""The expert pool and the verifiable random draw of a project's evaluation committee.

How a draw works, and how anyone checks it afterwards:

1. **Commit** (before the opening: the tender is a draft, published or closed). The platform
   draws a random 256-bit seed and stores it unseen; it shows only ``seed_commitment`` =
   SHA-256 (hex) over the seed's 32 raw bytes. At the same moment it freezes the **pool
   snapshot**: every active expert holding the specialty, as ``[{"code", "affiliations"}]``
   sorted by code (affiliations sorted), with ``pool_digest`` = SHA-256 over its canonical JSON.
   Experts joining or leaving the pool later do not change this draw.
2. **Contribute** (after the commit, before the draw). A supervisor gives a 256-bit seed of their
   own; it is public at once and fixed. The draw runs on ``draw_seed`` = SHA-256 over the platform
   seed's 32 bytes followed by the contribution's 32 bytes (:func:`combine_seeds`). The platform
   committed its seed before it could know the contribution, and the supervisor gave theirs
   without knowing the platform's, so neither can grind seeds until the draw suits them. A draw
   cannot be made without a contribution (409 ``seed_contribution_missing``).
3. **Draw** (after the bid deadline, when the bidders are known: closed, opening, opened or
   evaluating). The recusal set is every credit code registered for the project plus the
   tenderer's; an expert of the snapshot affiliated with any of them is excluded. The eligible
   experts are ordered by SHA-256 over ``"<draw seed hex>|<expert code>"`` (hex ascending, code on a
   tie) and the first ``count`` are drawn, in that order. The seed is revealed with the result.
4. **Substitute** (补抽, while the committee is being formed or evaluates): a drawn expert who
   declines is logged (who, when, why, who recorded it) and replaced by the next eligible expert of
   the same seed order, never one picked by hand. With the declined experts set aside, the
   committee is always the first ``count`` of the seed order: ``draw_experts(..., declined=...)``.
5. **Verify**: ``draw_experts(draw_seed, pool, recused, count, declined)`` is a pure function; given
   the revealed seed, the contribution, the snapshot, the recusal set and the decline log, anyone
   recomputes the exclusions, the drawn experts and each substitute, and checks the seed against
   the commitment, the contribution's time against the commitment's, and the snapshot against its
   digest. (Draws made before contributions existed ran on the platform seed alone.)

The committee (招标投标法 §37): five or more members, an odd number, the technical and economic
experts at least two thirds of it. The drawn experts are the technical and economic experts (the
pool holds nothing else); the tenderer may add its own representatives, at most one (the issue's
rule, stricter than the statute's third: 评标委员会和评标方法暂行规定 §9 lets a tenderer's
representative sit, and the district allows one). The commit refuses any other shape (422 naming
``count`` or ``tenderer_representatives``).

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
    ExpertHasScored,
    ExpertNotFound,
    NoEvaluationCommittee,
    NotEnoughExperts,
    ProjectStatusForbids,
    SeedContributed,
    SeedContributionMissing,
)
from bianmin.bidding.models import Expert, ExpertDecline, ExpertDraw, ExpertScore, Project, Registration
from bianmin.bidding.schemas import ExpertCreate
from bianmin.kit.errors import Unprocessable

COMMIT_STATUSES = frozenset({"draft", "published", "closed"})
DRAW_STATUSES = frozenset({"closed", "opening", "opened", "evaluating"})
PUBLIC_STATUSES = frozenset({"publicised", "awarded", "failed", "cancelled"})
MIN_COMMITTEE = 5
MAX_TENDERER_REPRESENTATIVES = 1


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


def combine_seeds(seed: str, contributed: str) -> str:
    """The seed a draw runs on: SHA-256 (hex) over the platform seed's 32 bytes and the contribution's 32 bytes."""
    return hashlib.sha256(bytes.fromhex(seed) + bytes.fromhex(contributed)).hexdigest()


def draw_seed(draw: ExpertDraw) -> str:
    """The seed the draw runs on: combined with the supervisor's contribution, or the platform's alone for older draws."""
    assert draw.seed is not None
    return draw.seed if draw.contributed_seed is None else combine_seeds(draw.seed, draw.contributed_seed)


def pool_digest(pool: list[dict[str, Any]]) -> str:
    """SHA-256 (hex) over the canonical JSON of a pool snapshot."""
    encoded = json.dumps(pool, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def committee_problem(count: int, representatives: int) -> tuple[str, str] | None:
    """What breaks the committee rules of 招标投标法 §37, as (field, reason), or None for a lawful committee."""
    size = count + representatives
    if size < MIN_COMMITTEE:
        return "count", (f"the committee has at least {MIN_COMMITTEE} members (招标投标法 §37): {count} drawn "
                         f"expert(s) and {representatives} tenderer representative(s)")
    if size % 2 == 0:
        return "count", f"the committee has an odd number of members (招标投标法 §37), not {size}"
    if 3 * count < 2 * size:
        return "tenderer_representatives", (f"technical and economic experts are at least two thirds of the committee "
                                             f"(招标投标法 §37): {count} of {size}")
    if representatives > MAX_TENDERER_REPRESENTATIVES:
        return "tenderer_representatives", "the tenderer sits at most one representative on the committee"
    return None


def draw_experts(seed: str, pool: list[dict[str, Any]], recused: list[str], count: int,
                 declined: list[str] | None = None) -> DrawResult:
    """Exclude experts affiliated with a recused credit code and draw ``count`` of the rest by the seed.

    ``declined`` experts (drawn, then declined) are passed over, so each seat they left goes to the
    next eligible expert of the same order: the substitute draw (补抽) is a recomputation, not a choice.
    """
    barred, passed = set(recused), set(declined or [])
    excluded = sorted(e["code"] for e in pool if barred.intersection(e["affiliations"]))
    eligible = [e["code"] for e in pool if e["code"] not in excluded and e["code"] not in passed]
    if len(eligible) < count:
        raise DrawError(f"{len(eligible)} eligible expert(s) for a committee of {count}")
    order = sorted(eligible, key=lambda code: (hashlib.sha256(f"{seed}|{code}".encode()).hexdigest(), code))
    return DrawResult(excluded=excluded, drawn=order[:count])


def replay_substitutes(seed: str, pool: list[dict[str, Any]], recused: list[str], count: int,
                       declined: list[str]) -> list[str]:
    """Who took each declined expert's seat, in the order of the declines, recomputed from the seed and pool."""
    substitutes: list[str] = []
    for i in range(len(declined)):
        before = draw_experts(seed, pool, recused, count, declined[:i]).drawn
        after = draw_experts(seed, pool, recused, count, declined[:i + 1]).drawn
        substitutes.extend(code for code in after if code not in before)
    return substitutes


def verify_draw(draw: ExpertDraw, declines: list[ExpertDecline]) -> dict[str, Any]:
    """Recompute a revealed draw from its seed, snapshot, recusal set and decline log, and say what matches."""
    if draw.seed is None or draw.pool is None or draw.drawn is None:
        raise DrawNotMade("The draw has not been made yet; its seed is still sealed.")
    recused, declined, seed = draw.recused_credit_codes or [], [d.expert_code for d in declines], draw_seed(draw)
    result = draw_experts(seed, draw.pool, recused, draw.count, declined)
    checks = {
        "seed_matches_commitment": seed_commitment(draw.seed) == draw.seed_commitment,
        "contribution_after_commitment": draw.contributed_at is None or draw.contributed_at >= draw.committed_at,
        "pool_matches_digest": pool_digest(draw.pool) == draw.pool_digest,
        "exclusions_match": result.excluded == (draw.excluded or []),
        "drawn_match": result.drawn == draw.drawn,
        "substitutions_match": replay_substitutes(seed, draw.pool, recused, draw.count, declined)
        == [d.replaced_by for d in declines],
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


async def commit(session: AsyncSession, project: Project, *, specialty: str, count: int, now: datetime,
                 tenderer_representatives: int = 0) -> ExpertDraw:
    """Commit to a seed and freeze the pool snapshot before the opening, for a committee §37 allows."""
    problem = committee_problem(count, tenderer_representatives)
    if problem is not None:
        raise Unprocessable.field(*problem)
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
    draw = ExpertDraw(project_id=project.id, specialty=specialty, count=count,
                      tenderer_representatives=tenderer_representatives, seed_commitment=seed_commitment(seed),
                      seed=seed, committed_at=now, pool=pool, pool_digest=pool_digest(pool))
    session.add(draw)
    await session.flush()
    return draw


async def contribute(session: AsyncSession, project: Project, *, seed: str, now: datetime, by: str) -> ExpertDraw:
    """Take a supervisor's seed for the committed draw, once, before it is made; it is public from now on."""
    draw = await draw_for(session, project)
    if draw.contributed_seed is not None:
        raise SeedContributed("The draw has its contributed seed already.")
    if draw.drawn is not None:
        raise DrawMade("The draw has been made already.")
    if project.status not in COMMIT_STATUSES | DRAW_STATUSES:
        raise ProjectStatusForbids("A seed is contributed between the commitment and the draw.")
    draw.contributed_seed, draw.contributed_by, draw.contributed_at = seed, by, now
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
    if draw.contributed_seed is None:
        raise SeedContributionMissing("The draw waits for a supervisor's seed contribution.")
    codes = set((await session.execute(select(Registration.credit_code)
                                        .where(Registration.project_id == project.id))).scalars())
    recused = sorted(codes | {project.tenderer_credit_code})
    assert draw.seed is not None
    assert draw.pool is not None
    try:
        result = draw_experts(draw_seed(draw), draw.pool, recused, draw.count)
    except DrawError as exc:
        raise NotEnoughExperts(f"The draw cannot be made: {exc}.") from exc
    draw.recused_credit_codes, draw.excluded, draw.drawn, draw.drawn_at = recused, result.excluded, result.drawn, now
    await session.flush()
    return draw


async def declines_of(session: AsyncSession, draw: ExpertDraw) -> list[ExpertDecline]:
    """The draw's logged declines, in the order they happened."""
    return list((await session.execute(select(ExpertDecline).where(ExpertDecline.draw_id == draw.id)
                                       .order_by(ExpertDecline.id))).scalars())


async def decline(session: AsyncSession, project: Project, *, expert_code: str, reason: str, now: datetime,
                  recorded_by: str) -> ExpertDraw:
    """Log that a drawn expert declines and give the seat to the next expert of the seed order (补抽).

    422 naming ``expert_code`` when the expert does not sit on the committee, ``reason`` when none is
    given; 409 when the expert has scored already (§44: the evaluation is theirs) or when no eligible
    expert is left, and then nothing changes.
    """
    draw = await draw_for(session, project)
    if draw.drawn is None:
        raise DrawNotMade("The draw has not been made yet; only a drawn expert can decline.")
    if project.status not in DRAW_STATUSES:
        raise ProjectStatusForbids("A drawn expert is replaced while the committee forms or evaluates, not after.")
    if expert_code not in draw.drawn:
        raise Unprocessable.field("expert_code", f"expert {expert_code} does not sit on the committee of {project.code}")
    if not reason.strip():
        raise Unprocessable.field("reason", "a decline states why (it is logged with the substitute draw)")
    scored = (await session.execute(select(ExpertScore.id).where(ExpertScore.project_id == project.id,
                                                                 ExpertScore.expert_code == expert_code))).first()
    if scored:
        raise ExpertHasScored(f"Expert {expert_code} has scored bids of {project.code}; the evaluation is theirs.")
    assert draw.seed is not None
    assert draw.pool is not None
    declined = [d.expert_code for d in await declines_of(session, draw)] + [expert_code]
    try:
        result = draw_experts(draw_seed(draw), draw.pool, draw.recused_credit_codes or [], draw.count, declined)
    except DrawError as exc:
        raise NotEnoughExperts(f"No expert can take the seat: {exc}.") from exc
    (substitute,) = [code for code in result.drawn if code not in draw.drawn]
    session.add(ExpertDecline(draw_id=draw.id, expert_code=expert_code, reason=reason.strip(), declined_at=now,
                              recorded_by=recorded_by, replaced_by=substitute))
    draw.drawn = result.drawn
    await session.flush()
    return draw
