"""The periods of sales: land use rights (国土资源部令第39号) and state property (国资委 财政部令第32号).

- Land (《招标拍卖挂牌出让国有建设用地使用权规定》, 国土资源部令第39号): the announcement is published
  at least 20 days before the tender, auction or listing starts (§8), and a listing (挂牌) runs at
  least 10 days (§19). On the platform the announcement is the project's publication; an auctioned
  lot's sale starts at the auction's ``starts_at`` and a listing runs from ``starts_at`` to ``ends_at``
  (the bidding window in which offers are taken and the price updated, §17); a land lot sold by tender
  (招标出让, no auction) takes sealed bids from publication, so its bid deadline is where the 20 days
  end. An auction (拍卖出让, ``sale_method = "auction"``) has no listing to run, only the announcement
  period. Days count like the tender periods of ``domain/periods.py``: calendar days from the day
  after the announcement or the listing's start (民法典 §201), in Asia/Shanghai.
- State property (《企业国有资产交易监督管理办法》, 国资委 财政部令第32号 §13): the transfer's formal
  information disclosure runs at least 20 working days. It runs from publication to the
  registration deadline (``bid_deadline``; interested buyers register and pay their deposits while
  it is disclosed), on the district's working-day calendar (``bianmin.kit.calendar``) like the
  complaint deadlines. The publication day is day zero and the deadline falls on the 20th working
  day at the earliest; 企业国有产权交易操作规则 §17 makes the first announcement day the start day,
  so an exchange that counts it as the first day asks one day less, never more. A year whose
  State Council notice is not loaded is counted by weekends, and the refusal says so.
- The figures are settings (``land_announcement_days``, ``land_listing_days``,
  ``state_property_disclosure_workdays``) that cannot go below the statute. Both checks run when
  the draft is made (to fail early) and again at publication, which is when the announcement goes out.
- Drills: with ``day_seconds`` shortened, each day (each working day too: a drill's clock has no
  weekends) lasts ``day_seconds`` from the instant counted from, as in ``domain/periods.py``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.errors import SalePeriodTooShort
from bianmin.bidding.domain.periods import REAL_DAY_SECONDS, earliest_deadline
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.calendar import load_calendar
from bianmin.kit.workdays import SHANGHAI, local_date

LISTING, AUCTION = "listing", "auction"


def check_land_start(*, starts_at: datetime, announced_at: datetime, settings: BiddingSettings,
                     field: str = "starts_at") -> None:
    """Refuse (422 naming ``field``) a land sale starting sooner after its announcement than §8 allows."""
    days = settings.land_announcement_days
    earliest = earliest_deadline(announced_at, days, settings.day_seconds)
    if starts_at < earliest:
        raise SalePeriodTooShort.field(field, (
            f"a land sale is announced at least {days} days before it starts (国土资源部令第39号 §8); announced "
            f"{announced_at.isoformat()}, it starts not before {earliest.isoformat()}"))


def check_land_listing(*, starts_at: datetime, ends_at: datetime, settings: BiddingSettings) -> None:
    """Refuse (422 naming ``ends_at``) a land listing that ends sooner after its start than §19 allows."""
    days = settings.land_listing_days
    earliest = earliest_deadline(starts_at, days, settings.day_seconds)
    if ends_at < earliest:
        raise SalePeriodTooShort.field("ends_at", (
            f"a land listing (挂牌) runs at least {days} days (国土资源部令第39号 §19): from "
            f"{starts_at.isoformat()}, it ends not before {earliest.isoformat()}"))


async def check_disclosure(session: AsyncSession, *, bid_deadline: datetime, published_at: datetime,
                           settings: BiddingSettings) -> None:
    """Refuse (422 naming ``bid_deadline``) a state-property disclosure shorter than §13's working days."""
    days = settings.state_property_disclosure_workdays
    note = ""
    if settings.day_seconds < REAL_DAY_SECONDS:
        earliest = published_at + timedelta(seconds=days * settings.day_seconds)
    else:
        calendar = await load_calendar(session)
        start = local_date(published_at)
        earliest = datetime.combine(calendar.add_workdays(start, days), time(0), tzinfo=SHANGHAI)
        provisional = calendar.provisional_reason(start, earliest.date())
        note = f" ({provisional})" if provisional else ""
    if bid_deadline < earliest:
        raise SalePeriodTooShort.field("bid_deadline", (
            f"a state-property transfer is disclosed at least {days} working days (国资委 财政部令第32号 §13): "
            f"published {published_at.isoformat()}, registration closes not before {earliest.isoformat()}{note}"))
