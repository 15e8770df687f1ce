"""Online ascending auctions of land use rights and state property (see ``domain/auction.py``).

During the auction the public sees the current price, the end time and the number of bids but
not who leads (bidders stay anonymous to each other while bidding, against collusion); the
managing site sees everything. Sealed final offers are shown to nobody until the auction ends.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from bianmin.bidding.api.deps import AGENT, BID, BUYER, EVERYONE, WRITE, SettingsDep, managed
from bianmin.bidding.api.views import auction_view, offer_views
from bianmin.bidding.domain import auction as rules
from bianmin.bidding.domain.common import actor_of, get_visible
from bianmin.bidding.models import Auction, Project
from bianmin.bidding.schemas import AuctionBidCreate, AuctionFinalOffer, AuctionRead, AuctionSetup
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import Principal, PrincipalDep, public, require_scopes

router = APIRouter(tags=["auction"])
ENDED = ("ended", "failed")


async def _view(session: SessionDep, project: Project, auction: Auction, who: Principal) -> AuctionRead:
    """An auction's state; the leader's name only for the managing site or once it has ended."""
    named = auction.status in ENDED or who.allows(WRITE, project.tenant)
    return auction_view(project, auction, bids=await rules.ascending_count(session, auction), named=named)


@router.post("/projects/{code}/auction", status_code=201, summary="Set up an online auction",
             dependencies=[require_scopes(WRITE), AGENT], responses=problem_responses(401, 403, 404, 409, 422))
async def setup_auction(code: str, body: AuctionSetup, session: SessionDep, who: PrincipalDep,
                        idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> AuctionRead:
    """Set the reserve price, increment, optional price cap and timetable of a draft lot's auction.

    A land sale starts at least 20 days after its announcement and a land listing runs at least 10 days
    (国土资源部令第39号 §8, §19).
    """
    project = await managed(session, code, who)
    auction = await rules.setup(session, project, body, now=clock.now(), settings=settings)
    return await idem.finish(session, await _view(session, project, auction, who))


@router.get("/projects/{code}/auction", dependencies=[EVERYONE], summary="An auction's state", responses=problem_responses(404), **public())
async def read_auction(code: str, session: ReadSessionDep, who: PrincipalDep) -> AuctionRead:
    """Current price, end time (extended by late bids), final round and result."""
    project = await get_visible(session, code, who)
    return await _view(session, project, await rules.auction_of(session, project), who)


@router.get("/projects/{code}/auction/bids", dependencies=[EVERYONE], summary="An auction's bids",
            responses=problem_responses(404), **public())
async def auction_bids(code: str, session: ReadSessionDep, who: PrincipalDep) -> list[dict[str, Any]]:
    """The ascending bids (amount and time; bidders once the auction ended), and final offers once ended."""
    project = await get_visible(session, code, who)
    auction = await rules.auction_of(session, project)
    return offer_views(await rules.offers_of(session, auction), ended=auction.status in ENDED)


@router.post("/projects/{code}/auction/bids", summary="Bid in an auction", dependencies=[require_scopes(BID), BUYER],
             responses=problem_responses(401, 403, 404, 409, 422))
async def place_bid(code: str, body: AuctionBidCreate, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                    settings: SettingsDep) -> AuctionRead:
    """Raise the price by at least the increment; a late bid extends the end, a bid at the cap opens the final round."""
    project = await get_visible(session, code, who)
    auction = await rules.auction_of(session, project)
    await rules.place_bid(session, project, auction, credit_code=body.credit_code, amount=body.amount,
                          now=clock.now(), by=who, barred=settings.barred_colors)
    await session.commit()
    return await _view(session, project, auction, who)


@router.post("/projects/{code}/auction/final-offers", status_code=201, summary="Take part at the price cap",
             dependencies=[require_scopes(BID), BUYER], responses=problem_responses(401, 403, 404, 409, 422))
async def final_offer(code: str, body: AuctionFinalOffer, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                      settings: SettingsDep) -> dict[str, str]:
    """Give the one sealed offer of the round after the cap (at the cap, with the second item if the mode asks)."""
    project = await get_visible(session, code, who)
    auction = await rules.auction_of(session, project)
    await rules.final_offer(session, project, auction, body, now=clock.now(), by=who, barred=settings.barred_colors)
    await session.commit()
    return {"status": "sealed"}


@router.post("/projects/{code}/auction/finish", summary="End the auction", dependencies=[require_scopes(WRITE), AGENT],
             responses=problem_responses(401, 403, 404, 409))
async def finish_auction(code: str, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                         settings: SettingsDep) -> AuctionRead:
    """Name the winner and publicise the result, or fail the lot when nobody bid."""
    project = await managed(session, code, who)
    auction = await rules.auction_of(session, project)
    await rules.finish(session, project, auction, now=clock.now(), actor=actor_of(who), settings=settings)
    await session.commit()
    return await _view(session, project, auction, who)
