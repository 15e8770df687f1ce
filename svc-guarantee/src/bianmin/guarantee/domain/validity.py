"""The bid validity period (投标有效期) a bid bond must cover.

招标投标法实施条例 §25: the tender documents fix a bid validity period, counted from the bid
deadline; §26: the bid bond's validity is the same as the bid's. A bid bond that expires earlier
would leave the tenderer unsecured while it may still award the bid, so it is refused at
application and again at issue (the tender may have been republished with a longer period).

The period comes from ``bidding.project.published`` (``bid_validity_days``, optional: bidding does
not send it yet). A tender that does not state it is taken to run 90 days, the period tender
documents most commonly set. The end is the bid deadline's day in China Standard Time plus the
period: counting the deadline's own day as day one would end a day earlier, so this reading is the
safer of the two for the tenderer.
"""

from __future__ import annotations

from datetime import date, timedelta

from bianmin.guarantee.models import Project
from bianmin.kit.errors import Unprocessable
from bianmin.kit.workdays import local_date

DEFAULT_BID_VALIDITY_DAYS = 90


def bid_valid_until(project: Project) -> date:
    """The last day of the tender's bid validity period."""
    days = project.bid_validity_days or DEFAULT_BID_VALIDITY_DAYS
    return local_date(project.bid_deadline) + timedelta(days=days)


def require_covers_validity(project: Project, expires_on: date) -> None:
    """422 naming ``expires_on`` when a bid bond would expire before the bid validity period ends."""
    until = bid_valid_until(project)
    if expires_on < until:
        raise Unprocessable.field("expires_on", f"a bid bond covers the bid validity period, until {until} (§26)",
                                  code="short_of_bid_validity")
