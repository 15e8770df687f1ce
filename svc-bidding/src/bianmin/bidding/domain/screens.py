"""Collusion screens (围标串标筛查) as pure functions over the bids of one section (or a set of sections).

Each screen returns the flags it raises, each with a score in [0, 1] and the evidence behind it;
a person confirms or dismisses every flag (§40 of the 招标投标法实施条例 lists what is *deemed*
collusion; a screen only points a supervisor at it). The screens and their definitions:

- ``coefficient_of_variation``: σ/μ of the prices (population σ). Bid-rigging cartels bid close
  together; flagged at or below the critical value for n bids. Score = 1 − cv / threshold.
- ``relative_distance``: (b2 − b1) / σ(losing bids), after Imhof, Karagök and Rutz (2018): cover
  bids cluster while the designated winner stands apart; flagged at or above the critical value.
  Score = 1 − threshold / rd.
- ``identical_prices``: two or more bidders with exactly the same price (§40 "abnormally identical").
- ``regular_gaps``: the gaps between sorted prices are near-constant (coefficient of variation of
  the gaps at or below the critical value, with at least ``min_gaps`` gaps; §40 "regular differences").
- ``identical_document_hashes``: one bid document (by SHA-256) appears in different bidders' bids.
- ``same_ip`` / ``same_device_fingerprint``: different bidders submitted from one address or device.
- ``same_deposit_account``: different bidders' deposits were paid from one account (§40(6): 不同投标人
  的投标保证金从同一单位或者个人的账户转出).
- ``same_project_manager``: one project manager named in different bidders' bids (§40(3): 项目管理成员为
  同一人; the name is in the sealed package, so it is known once the bids are opened).
- ``same_agent``: one account (or key acting alone) registered or submitted for different bidders
  (§40(2): 委托同一单位或者个人办理投标事宜).
- ``same_contact_phone``: different bidders registered with one contact phone (§40(2): the same person
  handles their bids; compared on the digits, a leading country code 86 dropped).
- ``same_machine_code``: different bidders' bid files were made on one machine, by the code the bid
  tool records of the file-producing machine (§40(1): 投标文件由同一单位或者个人编制).
- ``rotation`` (over a set of sections a supervisor chooses, ``POST /rotation-screens``; not run at
  opening): the same ring won them strictly in turn.

Calibration. A fixed threshold cannot serve every section size: with σ/μ ≤ 0.03 and rd ≥ 1, honest
3-bid sections (independent prices uniform on 85–100% of the budget) were flagged 39% and 66% of the
time, and most district and township tenders have 3–5 bidders. The statistical screens therefore
take their critical value per number of bids n from the tables below — the 4% quantile of each
statistic on simulated honest sections — unless an operator fixes one (``screen_cv_max``,
``screen_rd_min``, ``screen_gap_cv_max``); the evidence says which (``basis``). The model of honest
bids is an assumption: real bids are not uniform on a fixed band (see :mod:`bianmin.bidding.collusion_sim`,
which also states the collusion patterns). ``python -m tools.collusion_sim --seed 1 --tenders 2000``
prints, on 2000 simulated sections per kind and n (500 series of one buyer's tenders for rotation):

========================  =======================  =====  =========  ==========  ========
screen                    honest flagged, n = 3–10 cover  identical  arithmetic  rotation
========================  =======================  =====  =========  ==========  ========
coefficient_of_variation  3.5–4.2% (all n: 3.9%)   99.4%  13.0%      78.5%       1.1%
relative_distance         3.5–4.8% (4.0%)          7.4%   14.5%      0.0%        26.2%
regular_gaps              3.6–4.8% (4.2%)          5.3%   0.0%       100.0%      2.0%
identical_prices          0.0% (0.0%)              0.0%   100.0%     0.0%        0.0%
rotation (per series)     0.0–0.8% (0.1%)          —      —          —           100.0%
together                  11.2–12.6% (11.7%)       99.5%  100.0%     100.0%      100.0%
========================  =======================  =====  =========  ==========  ========

Detection by the screens together is at least 96% for every n (cover bidding with 3 bids is the
weakest). Each screen alone flags at most 5% of honest sections, but a section faces three
statistical screens, so about one honest section in eight carries some flag: a flag starts a
supervisor's inquiry, it proves nothing.
Rotation columns of the price screens count sections, the rotation screen counts series.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
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
    project_manager: str | None = None
    agents: tuple[str, ...] = ()
    contact_phone: str | None = None
    machine_code: str | None = None


# Critical values per number of priced bids n, from ``python -m bianmin.bidding.collusion_sim --calibrate
# --samples 200000 --seed 1``: the 4% quantile of each statistic on simulated honest tenders (prices
# independent and uniform on 85–100% of the budget), so that a screen flags about 4% of honest sections,
# under the 5% budget with room for sampling error. Beyond ``MAX_TABULATED_BIDS`` the last row is used:
# every statistic's honest quantile moves away from the flagging side as n grows, so that row is stricter.
MAX_TABULATED_BIDS = 10
CV_MAX_BY_N: dict[int, Decimal] = {3: Decimal("0.00835"), 4: Decimal("0.01448"), 5: Decimal("0.01910"), 6: Decimal("0.02268"),
                                   7: Decimal("0.02525"), 8: Decimal("0.02729"), 9: Decimal("0.02890"), 10: Decimal("0.03031")}
RD_MIN_BY_N: dict[int, Decimal] = {3: Decimal("47.217"), 4: Decimal("9.407"), 5: Decimal("4.898"), 6: Decimal("3.365"),
                                   7: Decimal("2.543"), 8: Decimal("2.062"), 9: Decimal("1.724"), 10: Decimal("1.502")}
GAP_CV_MAX_BY_N: dict[int, Decimal] = {3: Decimal("0.0401"), 4: Decimal("0.1832"), 5: Decimal("0.2938"), 6: Decimal("0.3708"),
                                       7: Decimal("0.4231"), 8: Decimal("0.4626"), 9: Decimal("0.4930"), 10: Decimal("0.5177")}


@dataclass(frozen=True)
class Thresholds:
    """The screens' thresholds (settings ``screen_*``); ``None`` takes the calibrated critical value for n bids."""

    cv_max: Decimal | None = None
    rd_min: Decimal | None = None
    gap_cv_max: Decimal | None = None
    min_bids: int = 3
    min_gaps: int = 2


def critical(fixed: Decimal | None, table: dict[int, Decimal], n: int) -> tuple[Decimal, str]:
    """The threshold a screen uses on n bids and where it came from: an operator's fixed value or the table."""
    if fixed is not None:
        return fixed, "setting"
    row = min(max(n, min(table)), MAX_TABULATED_BIDS)
    return table[row], f"calibrated n={row}"


@dataclass(frozen=True)
class Flag:
    """One screen's finding: which bidders, how strongly, and why."""

    screen: str
    score: Decimal
    credit_codes: list[str]
    evidence: dict[str, Any] = field(default_factory=dict)


def fmean(values: list[float]) -> float:
    """The mean of floats (``statistics.fmean`` without its generality; the simulations call it millions of times)."""
    return math.fsum(values) / len(values)


def pstdev(values: list[float]) -> float:
    """The population standard deviation of floats, two-pass with ``fsum`` (``statistics.pstdev`` is exact but slow)."""
    mean = fmean(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))


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
    threshold, basis = critical(t.cv_max, CV_MAX_BY_N, len(priced))
    if cv > float(threshold):
        return []
    return [Flag("coefficient_of_variation", _score(1 - cv / float(threshold)) if threshold else ONE,
                 [b.credit_code for b in priced],
                 {"cv": f"{cv:.6f}", "threshold": str(threshold), "basis": basis, "mean": f"{mean:.2f}",
                  "bids": len(priced)})]


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
    threshold, basis = critical(t.rd_min, RD_MIN_BY_N, len(priced))
    if rd < float(threshold):
        return []
    score = ONE if rd == float("inf") else _score(1 - float(threshold) / rd) if rd else Decimal(0)
    return [Flag("relative_distance", score, [b.credit_code for b in priced],
                 {"rd": "inf" if rd == float("inf") else f"{rd:.6f}", "threshold": str(threshold), "basis": basis,
                  "lowest": str(priced[0].price), "second": str(priced[1].price), "bids": len(priced)})]


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
    threshold, basis = critical(t.gap_cv_max, GAP_CV_MAX_BY_N, len(priced))
    if gap_cv > float(threshold):
        return []
    score = ONE if not threshold else _score(1 - gap_cv / float(threshold))
    return [Flag("regular_gaps", score, [b.credit_code for b in priced],
                 {"gaps": [f"{g:.2f}" for g in gaps], "gap_cv": f"{gap_cv:.6f}", "threshold": str(threshold),
                  "basis": basis, "bids": len(priced)})]


def _shared(screen: str, key: str, bids: list[BidFacts], facts: Callable[[BidFacts], Iterable[str | None]]) -> list[Flag]:
    """One flag per fact (normalised by ``facts``; blank ones skipped) that two or more bidders share."""
    by_fact: dict[str, set[str]] = defaultdict(set)
    for b in bids:
        for fact in facts(b):
            if fact:
                by_fact[fact].add(b.credit_code)
    return [Flag(screen, ONE, sorted(codes), {key: value}) for value, codes in sorted(by_fact.items()) if len(codes) > 1]


def identical_document_hashes(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag every bid document that appears in the bids of different bidders."""
    return _shared("identical_document_hashes", "document_hash", bids, lambda b: (h.lower() for h in b.document_hashes))


def same_ip(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag different bidders who submitted from the same address."""
    return _shared("same_ip", "ip", bids, lambda b: (b.ip,))


def same_device_fingerprint(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag different bidders who submitted from the same device."""
    return _shared("same_device_fingerprint", "device_fingerprint", bids, lambda b: (b.device_fingerprint,))


def same_deposit_account(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag different bidders whose deposits came from one account."""
    return _shared("same_deposit_account", "account", bids, lambda b: b.deposit_accounts)


def _normal_name(name: str | None) -> str:
    return "".join((name or "").split()).casefold()


def same_project_manager(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag one project manager named in different bidders' bids (compared without spaces, case-folded)."""
    return _shared("same_project_manager", "project_manager", bids, lambda b: (_normal_name(b.project_manager),))


def same_agent(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag one account or key that registered or submitted for different bidders."""
    return _shared("same_agent", "agent", bids, lambda b: b.agents)


def phone_digits(phone: str) -> str:
    """A phone number's digits, without the country code 86 (``+86 138-0000-1234`` is ``13800001234``)."""
    digits = "".join(c for c in phone if c.isdigit())
    if len(digits) > 11 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def same_contact_phone(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag different bidders registered with one contact phone."""
    return _shared("same_contact_phone", "contact_phone", bids, lambda b: (phone_digits(b.contact_phone or ""),))


def same_machine_code(bids: list[BidFacts], t: Thresholds) -> list[Flag]:
    """Flag different bidders whose bid files the bid tool made on one machine (code compared case-insensitively)."""
    return _shared("same_machine_code", "machine_code", bids, lambda b: ((b.machine_code or "").strip().lower(),))


@dataclass(frozen=True)
class SectionOutcome:
    """One section of a set a supervisor screens for rotation: who bid in it and who won it."""

    ref: str
    bidders: frozenset[str]
    winner: str | None


def rotation(sections: list[SectionOutcome], alpha: Decimal) -> list[Flag]:
    """Flag a set of sections (in time order) that the same bidders won strictly in turn.

    The ring is the bidders present in every section. The sections are flagged when every one was
    won by a ring member, at least two members won, and no member won twice before every other winner
    had won once in between (A, B, C, A, B, ...), and when that is improbable: under the honest model
    (each section's winner any of its bidders with equal chance) the probability of a strict rotation
    of any length among the ring is Σ_q P(c, q) / Π n_s (c ring members, n_s bidders of section s);
    flagged when it is at most ``alpha``, so honest sets are flagged at most that often.
    """
    decided = [s for s in sections if s.winner is not None and s.winner in s.bidders]
    m = len(decided)
    if m < 3:
        return []
    ring = frozenset.intersection(*(s.bidders for s in decided))
    winners = [s.winner for s in decided if s.winner is not None]
    turns = len(set(winners))
    if turns < 2 or not set(winners) <= ring:
        return []
    if any(winners[i] == winners[j] for i in range(m) for j in range(i + 1, min(m, i + turns))):
        return []
    ways = sum(math.perm(len(ring), q) for q in range(2, min(m, len(ring)) + 1))
    chance = Fraction(ways, math.prod(len(s.bidders) for s in decided))
    if chance > Fraction(alpha):
        return []
    return [Flag("rotation", _score(1 - float(chance / Fraction(alpha))) if alpha else ONE, sorted(ring),
                 {"sections": [s.ref for s in decided], "winners": winners, "chance": f"{float(chance):.6f}",
                  "threshold": str(alpha)})]


SCREENS = (coefficient_of_variation, relative_distance, identical_prices, regular_gaps,
           identical_document_hashes, same_ip, same_device_fingerprint, same_deposit_account,
           same_project_manager, same_agent, same_contact_phone, same_machine_code)


def screen_all(bids: list[BidFacts], thresholds: Thresholds) -> list[Flag]:
    """Every flag every screen raises on one section's bids."""
    return [flag for screen in SCREENS for flag in screen(bids, thresholds)]
