"""The periods the law sets from a tender's documents to its bid deadline.

招标投标法 §24: for a project that must be tendered by law (依法必须招标), the time from the day the
tender documents begin to be issued to the bid deadline is at least 20 days; 财政部令第87号 §25 sets
the same 20 days for government procurement by open or invited tender. The platform issues the
documents when it publishes the tender, so the period runs from publication, and it is checked both
when the draft is created (against the moment of creation, to fail early) and again when it is
published (a draft published later may no longer leave the period).

Decisions where the statute is silent:
- Days are calendar days counted from the day after the issue (民法典 §201: the first day is not
  counted), in Asia/Shanghai: documents issued at 15:00 on 2 March allow a deadline at any time on
  22 March, not before. :func:`earliest_deadline` is that instant (midnight starting the 20th day).
- Whether the law binds a tender is something the tender states (``mandatory_tender``). Omitted, it
  is derived from the budget against the thresholds (settings ``tender_threshold_*``, (国家发改委令第16号 §5: works
  4,000,000 yuan, important goods 2,000,000)); the platform's tenderers are public bodies spending
  state funds (§2), so at or above the threshold a tender cannot state it is not bound — a flag
  would otherwise skip §24. Land and state property are sold, not tendered under 招标投标法
  (their listing periods follow their own rules), so they cannot state they are bound.
- The period of a bound tender is ``tender_period_days["<category>.<method>"]`` (20 each, never
  below 20); a tender the law does not bind follows ``voluntary_period_days`` of its level, the
  operator's local rule for small projects and for village projects tendered at the township
  sub-centres (0 by default: the statute asks only for a reasonable time).
- Drills: when ``day_seconds`` is shortened (end-to-end tests and drills on the real clock), the
  period's days are that many seconds long, counted from the issue instant, like the publicity of
  candidates. A drill therefore runs the same rule on a shorter day, never a tender exempted from
  it: with a two-second day a bound tender closes no sooner than 40 seconds after publication.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from bianmin.bidding.domain.errors import TenderPeriodTooShort
from bianmin.bidding.settings import STATUTORY_TENDER_DAYS, TENDERED_CATEGORIES, BiddingSettings
from bianmin.kit.errors import Unprocessable
from bianmin.kit.workdays import SHANGHAI

REAL_DAY_SECONDS = 86400.0


def earliest_deadline(issued_at: datetime, days: int, day_seconds: float) -> datetime:
    """The first instant a bid deadline may fall on when ``days`` must pass after an issue at ``issued_at``.

    On the real clock the days are counted from the day after the issue in Asia/Shanghai (民法典 §201),
    so the answer is the midnight that starts the last day; on a drill's shorter day they are
    ``days × day_seconds`` from the issue instant.
    """
    if days <= 0:
        return issued_at
    if day_seconds >= REAL_DAY_SECONDS:
        return datetime.combine(issued_at.astimezone(SHANGHAI).date() + timedelta(days=days), time(0), tzinfo=SHANGHAI)
    return issued_at + timedelta(seconds=days * day_seconds)


def is_bound(*, category: str, budget: Decimal, stated: bool | None, settings: BiddingSettings) -> bool:
    """Whether the law obliges the tender to be tendered: as stated, or derived from the thresholds; 422 on a false statement."""
    threshold = settings.mandatory_threshold(category)
    reaches = threshold is not None and budget >= threshold
    if category not in TENDERED_CATEGORIES:
        if stated:
            raise Unprocessable.field("mandatory_tender", "land and state property are sold, not tendered under "
                                      "招标投标法; their periods follow their own rules")
        return False
    if stated is False and reaches:
        raise Unprocessable.field(
            "mandatory_tender", f"a {category} tender of {budget} yuan reaches the threshold of {threshold} yuan "
            "(国家发改委令第16号 §5) and must be tendered by law")
    return reaches if stated is None else stated


def minimum_days(*, category: str, method: str, level: str, bound: bool, settings: BiddingSettings) -> tuple[int, str]:
    """The least days from issue to deadline for such a tender, and the rule that sets them."""
    if bound:
        days = settings.tender_period_days.get(f"{category}.{method}", STATUTORY_TENDER_DAYS)
        return days, "a tender that must be tendered by law (招标投标法 §24)"
    return settings.voluntary_period_days.get(level, 0), f"a {level} tender the law does not bind (the local rule)"


def check_period(*, category: str, method: str, level: str, bound: bool, bid_deadline: datetime, issued_at: datetime,
                 settings: BiddingSettings) -> None:
    """Refuse (422 naming ``bid_deadline``) a deadline sooner after ``issued_at`` than the tender's period allows."""
    days, rule = minimum_days(category=category, method=method, level=level, bound=bound, settings=settings)
    earliest = earliest_deadline(issued_at, days, settings.day_seconds)
    if bid_deadline < earliest:
        raise TenderPeriodTooShort.field(
            "bid_deadline", f"{rule} closes at least {days} days after its documents are issued "
            f"({issued_at.isoformat()}): not before {earliest.isoformat()}")
