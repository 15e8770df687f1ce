"""Online ascending auction (网上竞价) of land use rights and state property.

Rules:
- An auction is set up on a draft land-use or state-property project with one section; bidders
  register for the section as for a tender until the registration deadline (``bid_deadline``),
  and bid between ``starts_at`` (not before the deadline) and ``ends_at`` while the project is
  closed for registration. A bidder needs a secured deposit for the section and an eligible
  credit color; the key that registered it bids for it.
- Periods (``domain/sale_periods.py``): a land sale starts at least 20 days after its announcement
  (国土资源部令第39号 §8) and a land listing (``sale_method = "listing"``, 挂牌) runs from ``starts_at``
  to ``ends_at`` at least 10 days (§19); a state-property sale's registration deadline ends a
  disclosure of at least 20 working days (国资委 财政部令第32号 §13).
- The reserve price (底价/起始价) is the one the lot was announced with, its section's budget, which
  its deposit was set against. The first bid is at least the reserve price; every later bid at least the current
  price plus the minimum increment. The leader cannot outbid itself.
- A bid in the last ``extension_minutes`` before the end pushes the end to ``extension_minutes``
  after that bid (延时竞价), so nobody wins by sniping.
- Price cap (限地价): the cap is a cap. No offer above it is taken, in the ascending phase or
  after it, and the winner pays the cap. The bid that reaches it ends the ascending phase; the
  remaining bidders (every bidder with at least one ascending bid) then have ``final_offer_minutes``
  to take part at the cap, and the mode the announcement names decides among them (``cap_mode``):

  * ``lottery`` (摇号): a remaining bidder joins by an offer at the cap; the bidder that reached the
    cap is bound by it and takes part without one. The draw is verifiable: at the setup the
    platform draws a 256-bit seed and publishes only its commitment (SHA-256 over its raw bytes),
    before anyone can know who will reach the cap; the entrants are ordered by SHA-256 over
    ``"<seed hex>|<project code>|<credit code>"`` (hex ascending, code on a tie) and the first
    wins. The seed and the entrants are revealed when the auction ends, so anyone recomputes it
    (:func:`lottery_order`).
  * ``second_item`` (e.g. 竞自持, self-held rental floor area): each remaining bidder gives one
    sealed offer of the second item, at the cap price; the highest wins, a tie goes to the lottery
    above among the tied. The bidder that reached the cap is bound by the cap and takes part with
    nothing of the second item if it gives no offer.

  Offers stay unseen until the round ends. The cap and its modes are what the land authority's
  announcement sets (《招标拍卖挂牌出让国有建设用地使用权规定》, 国土资源部令第39号, §9: the
  announcement states the bidding rules; the local 限地价 rules of the land market set the modes).
- Finish (after the end, or after the final round): no bid → the project fails (流拍); otherwise
  the winner and price are publicised straight away (``closed → publicised``, for the project's
  publicity days) and the award follows the ordinary rules (objections, complaints).
- One bidder suffices (挂牌 with a single bidder at or above the reserve is a sale); the
  three-bidder rule of §44 is a tendering rule.
- Concurrency: a bid is accepted by a compare-and-set on the auction's ``version``; of two bids
  racing on the same state one is accepted and the other gets 409 ``outbid`` and retries on the
  new price. This holds with several replicas on PostgreSQL and on SQLite.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain import sale_periods
from bianmin.bidding.domain.bidders import ensure_eligible, registration_of, secured_amount
from bianmin.bidding.domain.common import days
from bianmin.bidding.domain.errors import (
    AlreadyLeading,
    AuctionExists,
    AuctionFinished,
    AuctionNotFound,
    AuctionNotRunning,
    AuctionRunning,
    DepositNotSecured,
    FinalOfferGiven,
    FinalRoundClosed,
    NotAuctioned,
    NotRemainingBidder,
    Outbid,
    ProjectStatusForbids,
)
from bianmin.bidding.domain.experts import seed_commitment
from bianmin.bidding.domain.projects import fail, transition
from bianmin.bidding.models import Auction, AuctionBid, Project
from bianmin.bidding.schemas import AuctionFinalOffer, AuctionSetup
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identity import Principal

SOLD_BY_AUCTION = ("land_use", "state_property")


def lottery_order(seed: str, project_code: str, credit_codes: list[str]) -> list[str]:
    """The entrants in draw order: SHA-256 over ``"<seed>|<project>|<code>"`` ascending, the code on a tie."""
    return sorted(set(credit_codes), key=lambda code: (
        hashlib.sha256(f"{seed}|{project_code}|{code}".encode()).hexdigest(), code))


def pick_at_cap(offers: list[AuctionBid], *, mode: str, seed: str, project_code: str) -> str:
    """Who wins among the offers at the cap: the lottery, or the highest second item with the lottery on a tie."""
    entrants = [o.credit_code for o in offers]
    if mode == "second_item":
        best = max(o.second_value or Decimal(0) for o in offers)
        entrants = [o.credit_code for o in offers if (o.second_value or Decimal(0)) == best]
    return lottery_order(seed, project_code, entrants)[0]


async def auction_of(session: AsyncSession, project: Project) -> Auction:
    """The project's auction; 404 when it has none."""
    auction = (await session.execute(select(Auction).where(Auction.project_id == project.id))).scalar_one_or_none()
    if auction is None:
        raise AuctionNotFound(f"Project {project.code} has no auction.")
    return auction


async def setup(session: AsyncSession, project: Project, body: AuctionSetup, *, now: datetime,
                settings: BiddingSettings) -> Auction:
    """Set up the auction of a draft land-use or state-property project, on the timetable its rules allow.

    A land sale starts 20 days after its announcement at the earliest and a land listing runs 10 days
    (国土资源部令第39号 §8, §19; ``domain/sale_periods.py``); the announcement goes out at publication,
    so the start is checked from now here and again when the project is published.
    """
    if project.category not in SOLD_BY_AUCTION:
        raise NotAuctioned("Only land use rights and state property are auctioned.")
    if project.status != "draft":
        raise ProjectStatusForbids("An auction is set up while the project is a draft.")
    if len(project.sections) != 1:
        raise NotAuctioned("An auctioned project has one section (one lot).")
    if (await session.execute(select(Auction.id).where(Auction.project_id == project.id))).first():
        raise AuctionExists(f"Project {project.code} has an auction already.")
    if body.reserve_price != project.sections[0].budget:
        raise Unprocessable.field("reserve_price", f"is the reserve the lot was announced with, {project.sections[0].budget}")
    if body.starts_at < project.bid_deadline:
        raise Unprocessable.field("starts_at", "must not be before the registration deadline (bid_deadline)")
    if body.ends_at <= body.starts_at:
        raise Unprocessable.field("ends_at", "must be after starts_at")
    if project.category == "land_use":
        sale_periods.check_land_start(starts_at=body.starts_at, announced_at=now, settings=settings)
        if body.sale_method == sale_periods.LISTING:
            sale_periods.check_land_listing(starts_at=body.starts_at, ends_at=body.ends_at, settings=settings)
    if body.price_cap is not None and body.price_cap < body.reserve_price + body.increment:
        raise Unprocessable.field("price_cap", "must be at least the reserve price plus one increment")
    if (body.price_cap is None) != (body.cap_mode is None):
        raise Unprocessable.field("cap_mode", "names how bidders at the price cap are decided, with a cap and only then")
    if (body.cap_mode == "second_item") != (body.second_item is not None):
        raise Unprocessable.field("second_item", "names the second item in `second_item` mode, and only there")
    seed = secrets.token_hex(32) if body.price_cap is not None else None
    auction = Auction(project_id=project.id, reserve_price=body.reserve_price, increment=body.increment,
                      price_cap=body.price_cap, starts_at=body.starts_at, ends_at=body.ends_at,
                      extension_minutes=body.extension_minutes, final_offer_minutes=body.final_offer_minutes,
                      status="scheduled", version=0, sale_method=body.sale_method, cap_mode=body.cap_mode, second_item=body.second_item,
                      draw_seed=seed, draw_commitment=seed_commitment(seed) if seed else None)
    session.add(auction)
    await session.flush()
    return auction


async def _bidder(session: AsyncSession, project: Project, credit_code: str, by: Principal, barred: list[str]) -> None:
    section = project.sections[0]
    await registration_of(session, section, credit_code, by)
    await ensure_eligible(session, credit_code, barred)
    secured = await secured_amount(session, project_code=project.code, section_code=section.code,
                                   credit_code=credit_code)
    if secured < section.bid_bond_amount:
        raise DepositNotSecured("The bidder's deposit for this lot is not secured.")


async def place_bid(session: AsyncSession, project: Project, auction: Auction, *, credit_code: str, amount: Decimal,
                    now: datetime, by: Principal, barred: list[str]) -> Auction:
    """Accept an ascending bid if it beats the current price by the increment, extending a late end."""
    if project.status != "closed" or auction.status != "scheduled" or not auction.starts_at <= now < auction.ends_at:
        raise AuctionNotRunning("The auction is not taking bids now.")
    await _bidder(session, project, credit_code, by, barred)
    if auction.price_cap is not None and amount > auction.price_cap:
        raise Unprocessable.field("amount", f"must not exceed the price cap {auction.price_cap}")
    if auction.current_price is None:
        if amount < auction.reserve_price:
            raise Unprocessable.field("amount", f"the first bid is at least the reserve price {auction.reserve_price}")
    else:
        if auction.leader_credit_code == credit_code:
            raise AlreadyLeading("This bidder leads already.")
        if amount < auction.current_price + auction.increment:
            raise Unprocessable.field("amount", f"must be at least {auction.current_price + auction.increment}")
    ends_at = auction.ends_at
    if ends_at - now < timedelta(minutes=auction.extension_minutes):
        ends_at = now + timedelta(minutes=auction.extension_minutes)
    values: dict[str, object] = {"current_price": amount, "leader_credit_code": credit_code, "ends_at": ends_at,
                                 "version": auction.version + 1}
    if auction.price_cap is not None and amount == auction.price_cap:
        values.update(status="final_round", capped_by=credit_code,
                      final_round_ends_at=now + timedelta(minutes=auction.final_offer_minutes))
    result = await session.execute(update(Auction).where(Auction.id == auction.id, Auction.version == auction.version)
                                   .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Outbid("Another bid was accepted first; bid again on the new price.")
    session.add(AuctionBid(auction_id=auction.id, credit_code=credit_code, kind="ascending", amount=amount, at=now))
    await session.flush()
    await session.refresh(auction)
    return auction


async def final_offer(session: AsyncSession, project: Project, auction: Auction, body: AuctionFinalOffer, *,
                      now: datetime, by: Principal, barred: list[str]) -> AuctionBid:
    """Take a remaining bidder's one sealed offer at the cap (with its second item) during the final round."""
    if auction.status != "final_round" or auction.final_round_ends_at is None or now >= auction.final_round_ends_at:
        raise FinalRoundClosed("No final round is running.")
    await _bidder(session, project, body.credit_code, by, barred)
    rows = (await session.execute(select(AuctionBid.kind).where(
        AuctionBid.auction_id == auction.id, AuctionBid.credit_code == body.credit_code))).scalars().all()
    if "ascending" not in rows:
        raise NotRemainingBidder("Only bidders who bid before the cap take part at it.")
    if "final" in rows:
        raise FinalOfferGiven("This bidder has given its final offer.")
    assert auction.price_cap is not None
    if body.amount > auction.price_cap:
        raise Unprocessable.field("amount", f"must not exceed the price cap {auction.price_cap}")
    if body.amount < auction.price_cap:
        raise Unprocessable.field("amount", f"an offer after the cap is at the price cap {auction.price_cap}")
    if auction.cap_mode == "second_item" and body.second_value is None:
        raise Unprocessable.field("second_value", f"the offer of the second item ({auction.second_item}) is required")
    if auction.cap_mode != "second_item" and body.second_value is not None:
        raise Unprocessable.field("second_value", "this auction decides at the cap by lottery; there is no second item")
    offer = AuctionBid(auction_id=auction.id, credit_code=body.credit_code, kind="final", amount=body.amount,
                       second_value=body.second_value, at=now)
    session.add(offer)
    await session.flush()
    return offer


async def finish(session: AsyncSession, project: Project, auction: Auction, *, now: datetime, actor: str,
                 settings: BiddingSettings) -> Auction:
    """End the auction: the winner and price are publicised, or the project fails without a bid."""
    if auction.status == "scheduled":
        if now < auction.ends_at:
            raise AuctionRunning("The auction is still running.")
    elif auction.status == "final_round":
        assert auction.final_round_ends_at is not None
        if now < auction.final_round_ends_at:
            raise AuctionRunning("The final round is still running.")
    else:
        raise AuctionFinished(f"The auction has {auction.status}.")
    if auction.current_price is None:
        auction.status = "failed"
        await fail(session, project, now=now, actor=actor, reason="no bid at or above the reserve price (流拍)")
        return auction
    winner, price = auction.leader_credit_code, auction.current_price
    if auction.status == "final_round":
        assert auction.capped_by is not None
        assert auction.price_cap is not None
        assert auction.draw_seed is not None
        offers = list((await session.execute(select(AuctionBid).where(
            AuctionBid.auction_id == auction.id, AuctionBid.kind == "final"))).scalars())
        if auction.capped_by not in {o.credit_code for o in offers}:  # bound by the cap it reached
            offers.append(AuctionBid(credit_code=auction.capped_by, kind="final", amount=auction.price_cap,
                                     second_value=Decimal(0) if auction.cap_mode == "second_item" else None))
        winner = pick_at_cap(offers, mode=auction.cap_mode or "lottery", seed=auction.draw_seed,
                             project_code=project.code)
        price = auction.price_cap
        auction.draw_entrants = sorted(o.credit_code for o in offers)
        auction.winning_second_value = next(o.second_value for o in offers if o.credit_code == winner)
    auction.status, auction.winner_credit_code, auction.winning_price = "ended", winner, price
    section = project.sections[0]
    section.winner_credit_code, section.award_amount = winner, price
    await transition(session, project, "publicised", now=now, actor=actor,
                     reason=f"auction result publicised for {project.publicity_days} days")
    project.publicity_started_at = now
    project.publicity_ends_at = now + days(project.publicity_days, settings)
    return auction


async def ascending_count(session: AsyncSession, auction: Auction) -> int:
    """How many ascending bids the auction has taken."""
    return int((await session.execute(select(func.count(AuctionBid.id)).where(
        AuctionBid.auction_id == auction.id, AuctionBid.kind == "ascending"))).scalar_one())


async def offers_of(session: AsyncSession, auction: Auction) -> list[AuctionBid]:
    """Every offer of an auction, ascending bids and final offers, in the order taken."""
    return list((await session.execute(select(AuctionBid).where(AuctionBid.auction_id == auction.id)
                                       .order_by(AuctionBid.id))).scalars())
