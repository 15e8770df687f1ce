"""Abnormally low prices (招标投标法实施条例 §51(5), 评标委员会和评标方法暂行规定 §21).

A price markedly below the other bids or below the reference price may be below the bidder's own
cost. When evaluation starts, a tender that buys (works, goods; never a land or property sale)
flags each valid price strictly below either threshold of the operator's rule (settings; each test
can be turned off):
- ``low_price_below_others`` (default 0.20): more than 20% below the mean of the section's other
  valid prices;
- ``low_price_below_ceiling`` (default 0.30): more than 30% below the section's ceiling (最高投标限价),
  which stands for the reference price (标底) the regulation names.
The flag is a question to the committee, not a verdict: the bidder explains in writing and brings
evidence; the committee keeps the bid or rejects it as below cost (:func:`decide`), and the
decision is recorded with the explanation and the committee's finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain import bids as bid_rules
from bianmin.bidding.domain.errors import BidNotFound, LowPriceDecided, NotEvaluating, NotFlaggedLow, SectionEnded
from bianmin.bidding.models import Bid, EvaluationDecision, Project
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.errors import Unprocessable

CENT = Decimal("0.01")
BUYING = frozenset({"construction", "procurement"})
"""Categories that buy, where a price can be below cost; land and property sales are not checked."""


@dataclass(frozen=True)
class LowPriceRule:
    """When a price is markedly low: shares below the other prices' mean and below the ceiling (None: off)."""

    below_others: Decimal | None
    below_ceiling: Decimal | None

    @classmethod
    def from_settings(cls, settings: BiddingSettings) -> LowPriceRule:
        """The operator's rule."""
        return cls(below_others=settings.low_price_below_others, below_ceiling=settings.low_price_below_ceiling)


def abnormally_low(price: Decimal, others: list[Decimal], ceiling: Decimal, rule: LowPriceRule) -> str | None:
    """Why ``price`` is flagged as abnormally low against the section's other valid prices and its ceiling, or None.

    评标委员会和评标方法暂行规定 §21 names a price markedly below the other bids or below the
    reference price; the ceiling (最高投标限价) stands for the reference here. Strictly below the
    threshold is flagged; the threshold itself is not.
    """
    reasons = []
    if rule.below_others is not None and others:
        mean = (sum(others, Decimal(0)) / len(others)).quantize(CENT)
        if price < mean * (1 - rule.below_others):
            reasons.append(f"{price} is more than {rule.below_others:%} below {mean}, the mean of the other valid prices")
    if rule.below_ceiling is not None and price < ceiling * (1 - rule.below_ceiling):
        reasons.append(f"{price} is more than {rule.below_ceiling:%} below the ceiling {ceiling}")
    if not reasons:
        return None
    return "; ".join(reasons) + " (实施条例 §51(5), 评标委员会和评标方法暂行规定 §21: the bidder explains, the committee decides)"


async def flag(session: AsyncSession, project: Project, rule: LowPriceRule) -> None:
    """Flag the live sections' abnormally low valid prices not yet decided (a decided one keeps its decision)."""
    for section in project.sections:
        if section.outcome == "failed":
            continue
        valid = [b for b in await bid_rules.counted(session, section) if b.validity == "valid" and b.price is not None]
        for bid in valid:
            if bid.low_price_decision is None:
                assert bid.price is not None
                others = [b.price for b in valid if b.id != bid.id and b.price is not None]
                bid.low_price_flag = abnormally_low(bid.price, others, section.budget, rule)
    await session.flush()


async def decide(session: AsyncSession, project: Project, bid_id: str, *, decision: str, explanation: str,
                           reason: str, now: datetime, actor: str) -> Bid:
    """Record the committee's decision on a flagged low price: kept, or rejected as below cost (实施条例 §51(5))."""
    if project.status != "evaluating":
        raise NotEvaluating("A low price is decided during evaluation.")
    bid = await session.get(Bid, bid_id)
    if bid is None or bid.project_id != project.id or bid.status != "active":
        raise BidNotFound(f"No counted bid {bid_id} in {project.code}.")
    section = next(s for s in project.sections if s.id == bid.section_id)
    if section.outcome == "failed":
        raise SectionEnded(f"Section {section.code} failed; its bids are no longer judged.")
    if bid.low_price_flag is None:
        raise NotFlaggedLow(f"The price of bid {bid_id} was not flagged as abnormally low.")
    if bid.low_price_decision is not None:
        raise LowPriceDecided(f"The low price of bid {bid_id} was {bid.low_price_decision} already.")
    for field, text in (("explanation", explanation), ("reason", reason)):
        if not text.strip():
            raise Unprocessable.field(field, "must not be blank")
    bid.low_price_decision = decision
    if decision == "rejected":
        bid.validity, bid.rank = "rejected", None
        bid.invalid_reason = f"price below cost (实施条例 §51(5)): {reason}"
    session.add(EvaluationDecision(project_id=project.id, section_id=section.id, kind=f"low_price_{decision}",
                                   credit_code=bid.credit_code, reason=reason, detail=explanation, actor=actor, at=now))
    await session.flush()
    return bid
