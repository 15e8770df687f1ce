"""Collusion screens (围标串标筛查) as pure functions over the bids of one section.

Each screen returns the flags it raises, each with a score in [0, 1] and the evidence behind it;
a person confirms or dismisses every flag (§40 of the 招标投标法实施条例 lists what is *deemed*
collusion; a screen only points a supervisor at it). The screens and their definitions:

- ``coefficient_of_variation``: σ/μ of the prices (population σ). Bid-rigging cartels bid close
  together; flagged at or below ``cv_max``. Score = 1 − cv / cv_max.
- ``relative_distance``: (b2 − b1) / σ(losing bids), after Imhof, Karagök and Rutz (2018): cover
  bids cluster while the designated winner stands apart; flagged at or above ``rd_min``.
  Score = 1 − rd_min / rd.
- ``identical_prices``: two or more bidders with exactly the same price (§40 "abnormally identical").
- ``regular_gaps``: the gaps between sorted prices are near-constant (coefficient of variation of
  the gaps at or below ``gap_cv_max``, with at least ``min_gaps`` gaps; §40 "regular differences").
- ``identical_document_hashes``: one bid document (by SHA-256) appears in different bidders' bids.
- ``same_ip`` / ``same_device_fingerprint``: different bidders submitted from one address or device.
- ``same_deposit_account``: different bidders' deposits were paid from one account (§40).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import fmean, pstdev
from typing import Any

ONE = Decimal(1)
SCORE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class BidFacts:
    """What the screens know of one opened bid."""

    credit_code: str
    price: Decimal | None = None
    document_hashes: tuple[str, ...] = ()
    ip: str | None = None
    device_fingerprint: str | None = None
    deposit_accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Thresholds:
    """The screens' thresholds (settings ``screen_*``)."""

    cv_max: Decimal = Decimal("0.03")
    rd_min: Decimal = Decimal("1.0")
    gap_cv_max: Decimal = Decimal("0.05")
    min_bids: int = 3
    min_gaps: int = 3


@dataclass(frozen=True)
class Flag:
    """One screen's finding: which bidders, how strongly, and why."""

    screen: str
    score: Decimal
    credit_codes: list[str]
    evidence: dict[str, Any] = field(default_factory=dict)


def _score(value: float) -> Decimal:
    return min(ONE, max(Decimal(0), Decimal(str(value)))).quantize(SCORE_PLACES)


def _priced(bids: list[BidFacts]) -> list[BidFacts]:
    return sorted((b for b in bids if b.price is not None), key=lambda b: (b.price, b.credit_code))


def coefficient_of_variation(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag a section whose prices are abnormally close together."""
    priced = _priced(bids)
    if len(priced) < t.min_bids:
        return []
    prices = [float(b.price) for b in priced if b.price is not None]
    mean = fmean(prices)
    if mean <= 0:
        return []
    cv = pstdev(prices) / mean
    if cv > float(t.cv_max):
        return []
    return [Flag("coefficient_of_variation", _score(1 - cv / float(t.cv_max)) if t.cv_max else ONE,
                 [b.credit_code for b in priced],
                 {"cv": f"{cv:.6f}", "threshold": str(t.cv_max), "mean": f"{mean:.2f}", "bids": len(priced)})]


def relative_distance(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag a section whose lowest bid stands far apart from tightly clustered cover bids."""
    priced = _priced(bids)
    if len(priced) < max(3, t.min_bids):
        return []
    prices = [float(b.price) for b in priced if b.price is not None]
    spread = pstdev(prices[1:])
    gap = prices[1] - prices[0]
    if gap <= 0:
        return []
    rd = float("inf") if spread == 0 else gap / spread
    if rd < float(t.rd_min):
        return []
    score = ONE if rd == float("inf") else _score(1 - float(t.rd_min) / rd) if rd else Decimal(0)
    return [Flag("relative_distance", score, [b.credit_code for b in priced],
                 {"rd": "inf" if rd == float("inf") else f"{rd:.6f}", "threshold": str(t.rd_min),
                  "lowest": str(priced[0].price), "second": str(priced[1].price)})]


def identical_prices(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag every price that two or more bidders share."""
    groups: dict[Decimal, set[str]] = defaultdict(set)
    for b in bids:
        if b.price is not None:
            groups[b.price].add(b.credit_code)
    return [Flag("identical_prices", ONE, sorted(codes), {"price": str(price)})
            for price, codes in sorted(groups.items()) if len(codes) > 1]


def regular_gaps(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag prices that step up by a near-constant difference."""
    priced = _priced(bids)
    prices = [float(b.price) for b in priced if b.price is not None]
    gaps = [b - a for a, b in itertools.pairwise(prices)]
    if len(gaps) < t.min_gaps or min(gaps) <= 0:
        return []
    gap_cv = pstdev(gaps) / fmean(gaps)
    if gap_cv > float(t.gap_cv_max):
        return []
    score = ONE if not t.gap_cv_max else _score(1 - gap_cv / float(t.gap_cv_max))
    return [Flag("regular_gaps", score, [b.credit_code for b in priced],
                 {"gaps": [f"{g:.2f}" for g in gaps], "gap_cv": f"{gap_cv:.6f}", "threshold": str(t.gap_cv_max)})]


def _shared(screen: str, key: str, values: dict[str, set[str]]) -> list[Flag]:
    return [Flag(screen, ONE, sorted(codes), {key: value}) for value, codes in sorted(values.items()) if len(codes) > 1]


def identical_document_hashes(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag every bid document that appears in the bids of different bidders."""
    by_hash: dict[str, set[str]] = defaultdict(set)
    for b in bids:
        for h in b.document_hashes:
            by_hash[h.lower()].add(b.credit_code)
    return _shared("identical_document_hashes", "document_hash", by_hash)


def same_ip(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag different bidders who submitted from the same address."""
    by_ip: dict[str, set[str]] = defaultdict(set)
    for b in bids:
        if b.ip:
            by_ip[b.ip].add(b.credit_code)
    return _shared("same_ip", "ip", by_ip)


def same_device_fingerprint(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag different bidders who submitted from the same device."""
    by_device: dict[str, set[str]] = defaultdict(set)
    for b in bids:
        if b.device_fingerprint:
            by_device[b.device_fingerprint].add(b.credit_code)
    return _shared("same_device_fingerprint", "device_fingerprint", by_device)


def same_deposit_account(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag different bidders whose deposits came from one account."""
    by_account: dict[str, set[str]] = defaultdict(set)
    for b in bids:
        for account in b.deposit_accounts:
            by_account[account].add(b.credit_code)
    return _shared("same_deposit_account", "account", by_account)


SCREENS = (coefficient_of_variation, relative_distance, identical_prices, regular_gaps,
           identical_document_hashes, same_ip, same_device_fingerprint, same_deposit_account)


def screen_all(bids: list[BidFacts], thresholds: Thresholds) -> list[Flag]:
    """Every flag every screen raises on one section's bids."""
    return [flag for screen in SCREENS for flag in screen(bids, thresholds)]
