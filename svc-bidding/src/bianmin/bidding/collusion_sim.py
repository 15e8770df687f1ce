"""Simulated tenders that calibrate the collusion screens and measure what they catch.

``python -m bianmin.bidding.collusion_sim --seed 1 --tenders 2000`` (or ``python -m tools.collusion_sim``
from the repository root) prints, per screen and per number of bids n (3–10), the share of honest
sections it flags and the share of each collusion pattern it catches; the same seed prints the same
figures. ``--calibrate --samples 200000`` prints the critical-value tables committed in
:mod:`bianmin.bidding.domain.screens`.

The models, and what they assume:

- **honest**: n independent bids, each uniform on 85–100% of the budget (budgets 0.5–10 million yuan,
  prices in whole yuan). Real honest bids are not uniform on a fixed band: bidders differ in cost,
  some price near the ceiling, and a tender's band depends on its trade and on the budget's realism.
  A wider or skewed band makes honest prices spread more (fewer false flags at these thresholds); a
  narrower band (say 95–100%, a budget set tight) makes them closer and the coefficient-of-variation
  screen flags more — the supervisor decides with the evidence, the screen only points.
- **cover**: a designated winner bids 85–97% of the budget and every other bid is a cover placed
  just above it, 0.2–2% higher (陪标).
- **identical**: honest bids, but two or more bidders (up to half the section) enter one price.
- **arithmetic**: prices step up from 85–95% of the budget by one fixed step of 0.2–1.5% of the
  budget, rounded to 100 yuan (§40 "regular differences").
- **rotation**: a ring of n bidders fills each of m = n+2 … 2n tenders of one buyer and wins them in
  turn (A, B, C, A, …); the winner bids 85–88% of the budget and the covers anywhere in 90–100%, so
  no single section looks tight: only the rotation screen over the set can see it. The honest
  counterpart is a buyer whose m tenders draw n bidders from a pool of n … n+2 local firms.

The thresholds in the tables are the 4% quantiles of the honest statistics (see ``screens``).
§40 of the 招标投标法实施条例 deems these patterns collusion; the screens only point at them.
"""

from __future__ import annotations

import argparse
import itertools
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from bianmin.bidding.domain import screens
from bianmin.bidding.domain.screens import BidFacts, SectionOutcome, Thresholds, fmean, pstdev

NS = range(3, 11)
HONEST_LOW, HONEST_HIGH = 0.85, 1.00
PRICE_SCREENS = ("coefficient_of_variation", "relative_distance", "regular_gaps", "identical_prices")
PATTERNS = ("cover", "identical", "arithmetic", "rotation")
ROTATION_ALPHA = Decimal("0.05")
CALIBRATION_QUANTILE = 0.04


def _budget(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(500_000, 10_000_000, 1000))


def _yuan(value: float) -> Decimal:
    return Decimal(round(value))


def _facts(prices: Iterable[Decimal], codes: Iterable[str] | None = None) -> list[BidFacts]:
    names = list(codes) if codes is not None else None
    return [BidFacts(credit_code=names[i] if names else f"B{i:02d}", price=p) for i, p in enumerate(prices)]


def honest(rng: random.Random, n: int) -> list[BidFacts]:
    """n independent bids uniform on 85–100% of a budget."""
    budget = float(_budget(rng))
    return _facts(_yuan(budget * rng.uniform(HONEST_LOW, HONEST_HIGH)) for _ in range(n))


def cover(rng: random.Random, n: int) -> list[BidFacts]:
    """A designated winner and n − 1 covers just above it."""
    budget = float(_budget(rng))
    winner = budget * rng.uniform(0.85, 0.97)
    return _facts([_yuan(winner)] + [_yuan(winner * (1 + rng.uniform(0.002, 0.02))) for _ in range(n - 1)])


def identical(rng: random.Random, n: int) -> list[BidFacts]:
    """Honest bids of which two or more (up to half the section) share one price."""
    bids = [b.price for b in honest(rng, n)]
    shared = rng.sample(range(n), rng.randint(2, max(2, n // 2)))
    for i in shared:
        bids[i] = bids[shared[0]]
    return _facts(p for p in bids if p is not None)


def arithmetic(rng: random.Random, n: int) -> list[BidFacts]:
    """Prices stepping up by one fixed, rounded step."""
    budget = float(_budget(rng))
    low = budget * rng.uniform(0.85, 0.95)
    step = budget * rng.uniform(0.002, min(0.015, (budget - low) / budget / (n - 1)))
    step = round(step, -2) or 100.0
    return _facts(_yuan(low + i * step) for i in range(n))


def _series(rng: random.Random, n: int, *, ring: bool) -> list[tuple[list[BidFacts], str]]:
    """One buyer's tenders with their winners: a ring winning in turn, or honest firms from a pool."""
    m = rng.randint(n + 2, 2 * n)
    if ring:
        members = [f"R{i:02d}" for i in range(n)]
        rng.shuffle(members)
        out = []
        for s in range(m):
            budget = float(_budget(rng))
            turn = members[s % n]
            prices = [_yuan(budget * (rng.uniform(0.85, 0.88) if code == turn else rng.uniform(0.90, 1.00)))
                      for code in members]
            out.append((_facts(prices, members), turn))
        return out
    pool = [f"H{i:02d}" for i in range(n + rng.randint(0, 2))]
    out = []
    for _ in range(m):
        bids = _facts((b.price for b in honest(rng, n) if b.price is not None), rng.sample(pool, n))
        winner = min(bids, key=lambda b: (b.price, b.credit_code)).credit_code
        out.append((bids, winner))
    return out


def _rotation_flags(series: list[tuple[list[BidFacts], str]]) -> bool:
    outcomes = [SectionOutcome(f"S{i}", frozenset(b.credit_code for b in bids), winner)
                for i, (bids, winner) in enumerate(series)]
    return bool(screens.rotation(outcomes, ROTATION_ALPHA))


SECTION_SCREENS: dict[str, Callable[[list[BidFacts], Thresholds], list[screens.Flag]]] = {
    "coefficient_of_variation": screens.coefficient_of_variation,
    "relative_distance": screens.relative_distance,
    "regular_gaps": screens.regular_gaps,
    "identical_prices": screens.identical_prices,
}
GENERATORS: dict[str, Callable[[random.Random, int], list[BidFacts]]] = {
    "honest": honest, "cover": cover, "identical": identical, "arithmetic": arithmetic}


@dataclass
class Rates:
    """Flagged shares: ``rates[(screen, kind, n)]`` with screen a name, ``"rotation"`` or ``"any"``."""

    tenders: int
    series: int
    rates: dict[tuple[str, str, int], float]

    def get(self, screen: str, kind: str, n: int) -> float:
        """One share, 0 when the screen does not apply to that kind."""
        return self.rates.get((screen, kind, n), 0.0)

    def pooled(self, screen: str, kind: str) -> float:
        """The share over every n (each n has the same number of tenders)."""
        return sum(self.get(screen, kind, n) for n in NS) / len(NS)


def simulate(*, seed: int, tenders: int, series: int | None = None, thresholds: Thresholds | None = None) -> Rates:
    """Screen ``tenders`` simulated sections of each kind and ``series`` (default a quarter as many) series per n."""
    rng = random.Random(seed)
    runs = series if series is not None else max(1, tenders // 4)
    t = thresholds or Thresholds()
    rates: dict[tuple[str, str, int], float] = {}
    for n in NS:
        for kind, make in GENERATORS.items():
            counts = dict.fromkeys([*SECTION_SCREENS, "any"], 0)
            for _ in range(tenders):
                bids = make(rng, n)
                hit = False
                for name, screen in SECTION_SCREENS.items():
                    if screen(bids, t):
                        counts[name] += 1
                        hit = True
                counts["any"] += hit
            for name, count in counts.items():
                rates[(name, kind, n)] = count / tenders
        for kind, ring in (("honest_series", False), ("rotation", True)):
            counts = dict.fromkeys([*SECTION_SCREENS, "rotation", "any"], 0)
            sections = 0
            for _ in range(runs):
                tenders_of_buyer = _series(rng, n, ring=ring)
                sections += len(tenders_of_buyer)
                rotated = _rotation_flags(tenders_of_buyer)
                counts["rotation"] += rotated
                hit = rotated
                for name, screen in SECTION_SCREENS.items():
                    flagged = sum(1 for bids, _ in tenders_of_buyer if screen(bids, t))
                    counts[name] += flagged
                    hit = hit or flagged > 0
                counts["any"] += hit
            for name in SECTION_SCREENS:
                rates[(name, kind, n)] = counts[name] / sections
            rates[("rotation", kind, n)] = counts["rotation"] / runs
            if ring:
                rates[("any", kind, n)] = counts["any"] / runs
    return Rates(tenders, runs, rates)


def calibrate(*, seed: int, samples: int, quantile: float = CALIBRATION_QUANTILE) -> dict[str, dict[int, Decimal]]:
    """The critical values per n: the ``quantile`` of each statistic on honest sections, on the flagging side."""
    rng = random.Random(seed)
    tables: dict[str, dict[int, Decimal]] = {"CV_MAX_BY_N": {}, "RD_MIN_BY_N": {}, "GAP_CV_MAX_BY_N": {}}
    for n in NS:
        cvs, rds, gap_cvs = [], [], []
        for _ in range(samples):
            prices = sorted(float(b.price) for b in honest(rng, n) if b.price is not None)
            cvs.append(pstdev(prices) / fmean(prices))
            spread = pstdev(prices[1:])
            rds.append(float("inf") if spread == 0 else (prices[1] - prices[0]) / spread)
            gaps = [b - a for a, b in itertools.pairwise(prices)]
            gap_cvs.append(pstdev(gaps) / fmean(gaps) if min(gaps) > 0 else 0.0)
        k = int(quantile * samples)
        cvs.sort()
        rds.sort(reverse=True)
        gap_cvs.sort()
        tables["CV_MAX_BY_N"][n] = Decimal(f"{cvs[k]:.5f}")
        tables["RD_MIN_BY_N"][n] = Decimal(f"{rds[k]:.3f}")
        tables["GAP_CV_MAX_BY_N"][n] = Decimal(f"{gap_cvs[k]:.4f}")
    return tables


def render(rates: Rates, *, seed: int) -> str:
    """The printed report: one block per screen, a row per n, a column per kind of tender."""
    kinds = ["honest", "cover", "identical", "arithmetic", "rotation", "honest_series"]
    lines = [f"collusion screens on simulated tenders: seed {seed}; per n, {rates.tenders} sections of each kind "
             f"and {rates.series} series of one buyer's tenders (rotation, honest_series)",
             "honest, honest_series: false-positive rate; cover, identical, arithmetic, rotation: detection rate.",
             "Series columns count sections for the price screens and whole series for [rotation] and [any]."]
    header = f"{'n':>4}" + "".join(f"{k:>15}" for k in kinds)
    for screen in [*SECTION_SCREENS, "rotation", "any"]:
        lines += ["", f"[{screen}]" if screen != "any" else "[any screen: detection by the screens together]", header]
        for n in [*NS, 0]:
            cells = [None if (screen, k, NS[0]) not in rates.rates else rates.pooled(screen, k) if n == 0
                     else rates.get(screen, k, n) for k in kinds]
            lines.append(f"{'all' if n == 0 else n:>4}" + "".join(f"{'—':>14} " if c is None else f"{c:>14.1%} "
                                                                   for c in cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """The command line."""
    parser = argparse.ArgumentParser(prog="collusion_sim", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tenders", type=int, default=2000, help="sections per kind and n")
    parser.add_argument("--series", type=int, default=None, help="series of tenders per n (default tenders/4)")
    parser.add_argument("--calibrate", action="store_true", help="print the critical-value tables instead")
    parser.add_argument("--samples", type=int, default=200_000, help="honest sections per n for --calibrate")
    args = parser.parse_args(argv)
    if args.calibrate:
        for name, table in calibrate(seed=args.seed, samples=args.samples).items():
            print(f"{name}: dict[int, Decimal] = {{" + ", ".join(f'{n}: Decimal("{v}")' for n, v in table.items()) + "}")
        return
    print(render(simulate(seed=args.seed, tenders=args.tenders, series=args.series), seed=args.seed))


if __name__ == "__main__":
    main()
