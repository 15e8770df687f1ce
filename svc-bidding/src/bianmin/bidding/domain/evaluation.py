"""Evaluation, publicity of the winning candidates, award and defaults.

Ranking of a section's valid bids:
- lowest valid price (经评审的最低投标价法): price ascending; a tie goes to the earlier submission.
- comprehensive scoring (综合评估法): price score = price_weight × lowest valid price ÷ price
  (the lowest valid price scores the full price weight), technical score = the mean of the
  experts' scores (0–100) × technical_weight ÷ 100, total = price score + technical score,
  ranked by total descending, then price, then submission time. Every valid bid needs at least
  one expert score before ranking, and only experts of the project's drawn committee score
  (``domain/experts.py``), each with their own account (招标投标法 §44: every member of the committee
  evaluates personally and answers for their opinion; nobody types scores for them): an expert
  account's id is its code in the pool. Every entry and change of a score is kept with who, when,
  the old and new score and, for a change, why.
The first three ranked are the winning candidates, publicised for ``publicity_days`` (≥ 3, §54);
objections during publicity must be answered before the award, and no award is made while a
complaint on the project is pending. A section fails by itself only with no valid bid or fewer than
the tender's own floor (``bids.too_few_valid``); a tender whose sections all failed is failed.

The committee's acts, each recorded with its reason (``EvaluationDecision``):
- 招标投标法 §42: it may reject every bid of a section (:func:`reject_all`); the section fails and is
  tendered again.
- 实施条例 §51(5): when evaluation starts, abnormally low prices are flagged (``domain/low_prices.py``);
  no candidates are publicised while a flag waits for the committee's decision.

实施条例 §55: when the winner declines the award, does not sign or gives no performance bond (a
default recorded by :func:`record_default`, which also goes to guarantee and credit), the tenderer
may award the section to the next publicised candidate in ranking order (:func:`next_candidate`,
announced as a new ``bidding.project.awarded`` for that section, so the contract and the bonds
follow the actual winner), or tender it again.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain import bids as bid_rules
from bianmin.bidding.domain import low_prices, ocds
from bianmin.bidding.domain.common import days, minutes
from bianmin.bidding.domain.errors import (
    BidNotFound,
    ComplaintPending,
    ContractSigned,
    ExpertsNotDrawn,
    LowPriceUndecided,
    NoNextCandidate,
    NotAwarded,
    NotComprehensive,
    NotEvaluating,
    NotOnTheCommittee,
    ObjectionsUnanswered,
    ProjectStatusForbids,
    PublicityRunning,
    ScoresMissing,
    SectionEnded,
    WindowOpen,
    WinnerNotDefaulted,
)
from bianmin.bidding.domain.opening import unanswered
from bianmin.bidding.domain.projects import fail, transition
from bianmin.bidding.models import (
    Bid,
    Complaint,
    EvaluationDecision,
    ExpertScore,
    Project,
    Registration,
    ScoreRevision,
    Section,
)
from bianmin.bidding.settings import BiddingSettings
from bianmin.contracts.events import bidding as bidding_events
from bianmin.contracts.events.bidding import BidderDefaulted, ProjectAwarded, SectionAward
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events import emit

CENT = Decimal("0.01")
CANDIDATES = 3
"""The winning candidates publicised (实施条例 §54) and, in their order, awarded (§55)."""
WINNER_DEFAULTS = frozenset({"declined_award", "refused_to_sign", "no_performance_bond"})
"""The winner's defaults of 实施条例 §55/§74 that cost it the award and let it pass to the next candidate."""


def rank_lowest_price(bids: list[Bid]) -> list[Bid]:
    """Valid bids ranked by price, earlier submission first on a tie."""
    return sorted(bids, key=lambda b: (b.price, b.received_at))


def rank_comprehensive(bids: list[Bid], technical: dict[str, Decimal], *, price_weight: int,
                       technical_weight: int) -> list[Bid]:
    """Valid bids scored and ranked by the comprehensive method (see the module docstring)."""
    lowest = min(b.price for b in bids if b.price is not None)
    for bid in bids:
        assert bid.price is not None
        bid.price_score = (Decimal(price_weight) * lowest / bid.price).quantize(CENT)
        bid.technical_score = (technical[bid.id] * Decimal(technical_weight) / 100).quantize(CENT)
        bid.total_score = bid.price_score + bid.technical_score
    return sorted(bids, key=lambda b: (-(b.total_score or 0), b.price, b.received_at))


async def start(session: AsyncSession, project: Project, *, now: datetime, actor: str,
                settings: BiddingSettings) -> None:
    """Begin evaluation after the confirmation window with every opening objection answered."""
    if project.status == "opened":
        assert project.opened_at is not None
        if now < project.opened_at + minutes(project.confirmation_minutes, settings):
            raise WindowOpen("Bidders may still confirm or object to the opening record.")
        if await unanswered(session, project, "opening"):
            raise ObjectionsUnanswered("Objections to the opening are unanswered.")
    await transition(session, project, "evaluating", now=now, actor=actor)
    if project.category in low_prices.BUYING:
        await low_prices.flag(session, project, low_prices.LowPriceRule.from_settings(settings))


async def reject_all(session: AsyncSession, project: Project, section: Section, *, reason: str, now: datetime,
                     actor: str) -> None:
    """The committee rejects every bid of a section (招标投标法 §42): the section fails, to be tendered again."""
    if project.status != "evaluating":
        raise NotEvaluating("The committee rejects bids during evaluation.")
    if section.outcome == "failed":
        raise SectionEnded(f"Section {section.code} failed already.")
    if not reason.strip():
        raise Unprocessable.field("reason", "the committee states why it rejects every bid")
    for bid in await bid_rules.counted(session, section):
        if bid.validity == "valid":
            bid.validity, bid.rank = "rejected", None
            bid.invalid_reason = f"every bid rejected by the committee (招标投标法 §42): {reason}"
    section.outcome = "failed"
    section.failure_reason = f"every bid rejected by the committee (招标投标法 §42): {reason}"
    session.add(EvaluationDecision(project_id=project.id, section_id=section.id, kind="all_rejected", credit_code=None,
                                   reason=reason, detail=None, actor=actor, at=now))
    await session.flush()
    if all(s.outcome == "failed" for s in project.sections):
        await fail(session, project, now=now, actor=actor, reason=section.failure_reason)
    else:
        await _announce_section_failed(session, project, section, now=now)


async def _announce_section_failed(session: AsyncSession, project: Project, section: Section, *, now: datetime) -> None:
    """Tell the guarantee service a section ended while its tender goes on: its bid bonds secure nothing any more
    (实施条例 §57); a failed tender is announced as a whole by :func:`fail` instead."""
    await emit(session, "bidding.section.failed", bidding_events.SectionFailed(
        project_code=project.code, section_code=section.code, site_code=project.site_code,
        reason=section.failure_reason or "", failed_at=now), tenant=project.tenant, about=project.code)


async def decisions(session: AsyncSession, project: Project) -> list[EvaluationDecision]:
    """Every recorded decision of the committee and the tenderer on the project, in order."""
    return list((await session.execute(select(EvaluationDecision).where(EvaluationDecision.project_id == project.id)
                                       .order_by(EvaluationDecision.id))).scalars())


async def add_score(session: AsyncSession, project: Project, *, bid_id: str, expert_code: str, score: Decimal,
                    reason: str | None, now: datetime, drawn: list[str] | None, via_app: str) -> ExpertScore:
    """Record the signed-in expert's technical score of a valid bid, and its revision (comprehensive scoring only)."""
    if project.status != "evaluating":
        raise NotEvaluating("Scores are recorded during evaluation.")
    if project.evaluation_method != "comprehensive":
        raise NotComprehensive("Lowest-price evaluation takes no technical scores.")
    if drawn is None:
        raise ExpertsNotDrawn("Scores come from the drawn committee; make the expert draw first.")
    if expert_code not in drawn:
        raise NotOnTheCommittee(f"Expert {expert_code} was not drawn for {project.code}.")
    bid = await session.get(Bid, bid_id)
    if bid is None or bid.project_id != project.id or bid.validity != "valid":
        raise BidNotFound(f"No valid bid {bid_id} in {project.code}.")
    existing = (await session.execute(select(ExpertScore).where(
        ExpertScore.bid_id == bid_id, ExpertScore.expert_code == expert_code))).scalar_one_or_none()
    old = existing.score if existing is not None else None
    if existing is not None:
        if old == score:
            return existing  # the same score again changes nothing
        if not (reason or "").strip():
            raise Unprocessable.field("reason", "state why the score is changed")
        existing.score, existing.scored_at = score, now
    else:
        existing = ExpertScore(project_id=project.id, bid_id=bid_id, expert_code=expert_code, score=score, scored_at=now)
        session.add(existing)
    session.add(ScoreRevision(project_id=project.id, bid_id=bid_id, expert_code=expert_code, old_score=old,
                              new_score=score, reason=reason, changed_by=expert_code, via_app=via_app, changed_at=now))
    await session.flush()
    return existing


async def score_revisions(session: AsyncSession, project: Project) -> list[ScoreRevision]:
    """Every entry and change of the project's scores, in the order they were made."""
    return list((await session.execute(select(ScoreRevision).where(ScoreRevision.project_id == project.id)
                                       .order_by(ScoreRevision.id))).scalars())


async def _technical(session: AsyncSession, project: Project) -> dict[str, Decimal]:
    rows = (await session.execute(select(ExpertScore.bid_id, ExpertScore.score)
                                  .where(ExpertScore.project_id == project.id))).all()
    grouped: dict[str, list[Decimal]] = defaultdict(list)
    for bid_id, score in rows:
        grouped[bid_id].append(score)
    return {k: sum(v, Decimal(0)) / len(v) for k, v in grouped.items()}


async def publicise(session: AsyncSession, project: Project, *, now: datetime, actor: str,
                    settings: BiddingSettings) -> None:
    """Rank each section's valid bids and publicise the winning candidates."""
    if project.status != "evaluating":
        raise ProjectStatusForbids(f"Project {project.code} is {project.status}, not evaluating.")
    technical = await _technical(session, project) if project.evaluation_method == "comprehensive" else {}
    live = [s for s in project.sections if s.outcome != "failed"]
    counted = {s.id: await bid_rules.counted(session, s) for s in live}
    waiting = [b.id for s in live for b in counted[s.id]
               if b.validity == "valid" and b.low_price_flag is not None and b.low_price_decision is None]
    if waiting:
        raise LowPriceUndecided(f"Abnormally low prices wait for the committee's decision: {', '.join(waiting)}.")
    alive = 0
    ended: list[Section] = []
    for section in live:
        valid = [b for b in counted[section.id] if b.validity == "valid"]
        short = bid_rules.too_few_valid(project, len(valid))
        if short is not None:
            section.outcome, section.failure_reason = "failed", short
            ended.append(section)
            continue
        if project.evaluation_method == "comprehensive":
            missing = [b.id for b in valid if b.id not in technical]
            if missing:
                raise ScoresMissing(f"Valid bids without technical scores: {', '.join(missing)}.")
            ranked = rank_comprehensive(valid, technical, price_weight=project.price_weight,
                                        technical_weight=project.technical_weight)
        else:
            ranked = rank_lowest_price(valid)
        for position, bid in enumerate(ranked, start=1):
            bid.rank = position
        alive += 1
    if not alive:
        await fail(session, project, now=now, actor=actor, reason="no section has enough valid bids")
        return
    for section in ended:
        await _announce_section_failed(session, project, section, now=now)
    await transition(session, project, "publicised", now=now, actor=actor,
                     reason=f"winning candidates publicised for {project.publicity_days} days")
    project.publicity_started_at = now
    project.publicity_ends_at = now + days(project.publicity_days, settings)


async def award(session: AsyncSession, project: Project, *, now: datetime, actor: str) -> None:
    """Award each live section to its first-ranked candidate once publicity has run its course."""
    if project.status != "publicised":
        raise ProjectStatusForbids(f"Project {project.code} is {project.status}, not publicised.")
    assert project.publicity_ends_at is not None
    if now < project.publicity_ends_at:
        raise PublicityRunning("The publicity period has not ended.")
    if await unanswered(session, project, "publicity"):
        raise ObjectionsUnanswered("Objections to the candidates are unanswered.")
    pending = (await session.execute(select(Complaint.id).where(Complaint.project_id == project.id,
                                                                Complaint.status.in_(("pending", "accepted"))))).first()
    if pending:
        raise ComplaintPending("A complaint on this project is pending.")
    awards = []
    for section in project.sections:
        if section.outcome == "failed":
            continue
        if section.winner_credit_code is not None and section.award_amount is not None:
            # An auctioned lot: the auction named the winner and the price.
            bidders = sorted(set((await session.execute(select(Registration.credit_code).where(
                Registration.section_id == section.id))).scalars()))
        else:
            counted = await bid_rules.counted(session, section)
            winner = min((b for b in counted if b.rank is not None), key=lambda b: b.rank or 0)
            section.winner_credit_code, section.award_amount = winner.credit_code, winner.price
            bidders = sorted(b.credit_code for b in counted)
        section.outcome = "awarded"
        awards.append(SectionAward(code=section.code, winner_credit_code=section.winner_credit_code,
                                   award_amount=section.award_amount or Decimal(0), bidder_credit_codes=bidders))
    await transition(session, project, "awarded", now=now, actor=actor)
    project.awarded_at = now
    await ocds.record(session, project, tag=["award"], at=now)
    await emit(session, "bidding.project.awarded", ProjectAwarded(
        code=project.code, site_code=project.site_code, awarded_at=now, sections=awards),
        tenant=project.tenant, about=project.code)


async def record_default(session: AsyncSession, project: Project, section: Section, *, credit_code: str, reason: str,
                         detail: str, now: datetime, actor: str = "system") -> None:
    """Record a bidder's default and announce it to guarantee (claim) and credit (bad behaviour).

    The winner's defaults (declining the award, not signing, no performance bond) are one default
    of 实施条例 §74 (the award is lost and the bid bond kept); the event names them all
    ``refused_to_sign``, the kind credit's rules know, and its detail names the precise ground, so
    the event's contract is unchanged. Such a default is recorded on the section, and the award may
    then pass to the next candidate (§55, :func:`next_candidate`).
    """
    if project.status not in ("opening", "opened", "evaluating", "publicised", "awarded"):
        raise ProjectStatusForbids("Defaults are recorded after the deadline of a live tender.")
    bid = (await session.execute(select(Bid.id).where(Bid.section_id == section.id, Bid.credit_code == credit_code,
                                                      Bid.status == "active"))).first()
    if bid is None:
        raise BidNotFound(f"{credit_code} has no bid in section {section.code}.")
    announced_reason = reason
    if reason in WINNER_DEFAULTS:
        if section.winner_credit_code != credit_code:
            raise Unprocessable.field("reason", f"only the winner of an awarded section can default by {reason}")
        if section.contract_signed_at is not None:
            raise ContractSigned("The contract is signed; the award no longer passes on.")
        if section.outcome == "awarded":
            session.add(EvaluationDecision(project_id=project.id, section_id=section.id, kind="winner_defaulted",
                                           credit_code=credit_code, reason=reason, detail=detail, actor=actor, at=now))
        announced_reason, detail = "refused_to_sign", f"{reason}: {detail}"
    await emit(session, "bidding.bidder.defaulted", BidderDefaulted(
        project_code=project.code, section_code=section.code, credit_code=credit_code, site_code=project.site_code,
        reason=announced_reason, detail=detail, occurred_at=now),  # type: ignore[arg-type]
        tenant=project.tenant, about=project.code)


async def next_candidate(session: AsyncSession, project: Project, section: Section, *, now: datetime,
                         actor: str) -> Bid:
    """Award the section to the next publicised candidate in ranking order after the winner defaulted (实施条例 §55).

    Only the first ``CANDIDATES`` ranked were publicised, so only they can be awarded this way; a
    candidate that defaulted before is skipped. With none left the section is tendered again.
    """
    if section.outcome != "awarded":
        raise NotAwarded(f"Section {section.code} is not awarded.")
    if section.contract_signed_at is not None:
        raise ContractSigned("The contract is signed; the award no longer passes on.")
    defaulted = set((await session.execute(select(EvaluationDecision.credit_code).where(
        EvaluationDecision.section_id == section.id, EvaluationDecision.kind == "winner_defaulted"))).scalars())
    if section.winner_credit_code not in defaulted:
        raise WinnerNotDefaulted(f"No default of the winner {section.winner_credit_code} is recorded; record it first.")
    counted = await bid_rules.counted(session, section)
    candidates = sorted((b for b in counted if b.validity == "valid" and b.rank is not None and b.rank <= CANDIDATES
                         and b.credit_code not in defaulted), key=lambda b: b.rank or 0)
    if not candidates:
        raise NoNextCandidate(f"No publicised candidate of section {section.code} is left; tender it again.")
    chosen, previous = candidates[0], section.winner_credit_code
    section.winner_credit_code, section.award_amount = chosen.credit_code, chosen.price
    session.add(EvaluationDecision(
        project_id=project.id, section_id=section.id, kind="next_candidate", credit_code=chosen.credit_code,
        reason=f"{previous} defaulted; awarded to candidate ranked {chosen.rank} (实施条例 §55)", detail=None,
        actor=actor, at=now))
    await session.flush()
    await ocds.record(session, project, tag=["awardUpdate"], at=now)
    await emit(session, "bidding.project.awarded", ProjectAwarded(
        code=project.code, site_code=project.site_code, awarded_at=now, sections=[SectionAward(
            code=section.code, winner_credit_code=chosen.credit_code, award_amount=chosen.price or Decimal(0),
            bidder_credit_codes=sorted(b.credit_code for b in counted))]),
        tenant=project.tenant, about=project.code)
    return chosen


async def sign_contract(session: AsyncSession, project: Project, section: Section, *, now: datetime) -> None:
    """Record the contract signed with the winner and announce it: bid bonds are returned within 5 days (§57)."""
    if section.outcome != "awarded":
        raise NotAwarded("Only an awarded section has a contract.")
    if section.contract_signed_at is not None:
        raise ContractSigned("The contract is recorded already.")
    section.contract_signed_at = now
    await session.flush()
    await ocds.record(session, project, tag=["contract"], at=now)
    assert section.winner_credit_code is not None  # an awarded section has its winner
    await emit(session, "bidding.contract.signed", bidding_events.ContractSigned(
        project_code=project.code, section_code=section.code, site_code=project.site_code,
        winner_credit_code=section.winner_credit_code, signed_at=now), tenant=project.tenant, about=project.code)
