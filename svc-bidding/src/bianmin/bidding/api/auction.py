"""Online ascending auctions of land use rights and state property (see ``domain/auction.py``).

During the auction the public sees the current price, the end time and the number of bids but
not who leads (bidders stay anonymous to each other while bidding, against collusion); the
managing site sees everything. Sealed final offers are shown to nobody until the auction ends.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.api.deps import BID, WRITE, SettingsDep
from bianmin.bidding.api.projects import managed, projects_get
from bianmin.bidding.domain import auction as rules
from bianmin.bidding.domain.common import actor_of
from bianmin.bidding.models import Auction, AuctionBid, Project
from bianmin.bidding.schemas import AuctionBidCreate, AuctionRead, AuctionSetup
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import Principal, PrincipalDep, public, require_scopes

router = APIRouter(tags=["auction"])


async def auction_view(session: AsyncSession, project: Project, auction: Auction, who: Principal) -> AuctionRead:
    """An auction's state; the leader's name only for the managing site or once it has ended."""
    count = (await session.execute(select(func.count(AuctionBid.id)).where(
        AuctionBid.auction_id == auction.id, AuctionBid.kind == "ascending"))).scalar_one()
    named = auction.status in ("ended", "failed") or who.allows(WRITE, project.tenant)
    return AuctionRead(project_code=project.code, reserve_price=auction.reserve_price, increment=auction.increment,
                       price_cap=auction.price_cap, starts_at=auction.starts_at, ends_at=auction.ends_at,
                       status=auction.status, current_price=auction.current_price,
                       leader_credit_code=auction.leader_credit_code if named else None,
                       final_round_ends_at=auction.final_round_ends_at,
                       capped_by=auction.capped_by if named else None, winner_credit_code=auction.winner_credit_code,
                       winning_price=auction.winning_price, bids=count)


@router.post("/projects/{code}/auction", status_code=201, summary="Set up an online auction",
             dependencies=[require_scopes(WRITE)], responses=problem_responses(401, 403, 404, 409, 422))
async def setup_auction(code: str, body: AuctionSetup, session: SessionDep, who: PrincipalDep,
                        idem: IdempotencyDep) -> AuctionRead:
    """Set the reserve price, increment, optional price cap and timetable of a draft lot's auction."""
    project = await managed(session, code, who)
    auction = await rules.setup(session, project, body)
    return await idem.finish(session, await auction_view(session, project, auction, who))


@router.get("/projects/{code}/auction", summary="An auction's state", responses=problem_responses(404), **public())
async def read_auction(code: str, session: SessionDep, who: PrincipalDep) -> AuctionRead:
    """Current price, end time (extended by late bids), final round and result."""
    project = await projects_get(session, code, who)
    return await auction_view(session, project, await rules.auction_of(session, project), who)


@router.get("/projects/{code}/auction/bids", summary="An auction's bids", responses=problem_responses(404), **public())
async def auction_bids(code: str, session: SessionDep, who: PrincipalDep) -> list[dict[str, Any]]:
    """The ascending bids (amount and time; bidders once the auction ended), and final offers once ended."""
    project = await projects_get(session, code, who)
    auction = await rules.auction_of(session, project)
    ended = auction.status in ("ended", "failed")
    rows = (await session.execute(select(AuctionBid).where(AuctionBid.auction_id == auction.id)
                                  .order_by(AuctionBid.id))).scalars()
    return [{"kind": b.kind, "amount": str(b.amount), "at": b.at.isoformat(),
             "credit_code": b.credit_code if ended else None} for b in rows if ended or b.kind == "ascending"]


@router.post("/projects/{code}/auction/bids", summary="Bid in an auction", dependencies=[require_scopes(BID)],
             responses=problem_responses(401, 403, 404, 409, 422))
async def place_bid(code: str, body: AuctionBidCreate, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                    settings: SettingsDep) -> AuctionRead:
    """Raise the price by at least the increment; a late bid extends the end, a bid at the cap opens the final round."""
    project = await projects_get(session, code, who)
    auction = await rules.auction_of(session, project)
    await rules.place_bid(session, project, auction, credit_code=body.credit_code, amount=body.amount,
                          now=clock.now(), by=who, barred=settings.barred_colors)
    await session.commit()
    return await auction_view(session, project, auction, who)


@router.post("/projects/{code}/auction/final-offers", status_code=201, summary="Give a sealed final offer",
             dependencies=[require_scopes(BID)], responses=problem_responses(401, 403, 404, 409, 422))
async def final_offer(code: str, body: AuctionBidCreate, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                      settings: SettingsDep) -> dict[str, str]:
    """Give the one sealed final offer of the round after the price cap; it stays unseen until the end."""
    project = await projects_get(session, code, who)
    auction = await rules.auction_of(session, project)
    await rules.final_offer(session, project, auction, credit_code=body.credit_code, amount=body.amount,
                            now=clock.now(), by=who, barred=settings.barred_colors)
    await session.commit()
    return {"status": "sealed"}


@router.post("/projects/{code}/auction/finish", summary="End the auction", dependencies=[require_scopes(WRITE)],
             responses=problem_responses(401, 403, 404, 409))
async def finish_auction(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                         settings: SettingsDep) -> AuctionRead:
    """Name the winner and publicise the result, or fail the lot when nobody bid."""
    project = await managed(session, code, who)
    auction = await rules.auction_of(session, project)
    await rules.finish(session, project, auction, now=clock.now(), actor=actor_of(who), settings=settings)
    await session.commit()
    return await auction_view(session, project, auction, who)
