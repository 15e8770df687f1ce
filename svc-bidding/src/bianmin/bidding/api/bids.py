"""Bidders and sealed bids: registration, submission with receipts, withdrawal, commitments, deposits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request

from bianmin.bidding.api.deps import (
    AGENT,
    AGENT_OR_SUPERVISOR,
    BID,
    BIDDER,
    BUYER,
    EVERYONE,
    WRITE,
    SettingsDep,
    ensure_agent_or_supervisor,
    managed,
    supervises,
)
from bianmin.bidding.api.views import bid_view
from bianmin.bidding.domain import bidders
from bianmin.bidding.domain import bids as bid_rules
from bianmin.bidding.domain.common import bidders_secret, get_visible, section_of
from bianmin.bidding.domain.errors import DeadlineNotReached
from bianmin.bidding.schemas import (
    BidRead,
    BidSubmit,
    CashDepositCreate,
    CommitmentList,
    CommitmentRead,
    DepositRead,
    Receipt,
    ReceiptKey,
    RegistrationCreate,
    RegistrationRead,
    SignInRequest,
)
from bianmin.kit.clock import ClockDep, ReceivedAtDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identifiers import mask_resident_id
from bianmin.kit.identity import PrincipalDep, public, require_scopes
from bianmin.kit.schemas import CreditCode

router = APIRouter(tags=["bids"])
SEALED = ("draft", "published")


@router.post("/projects/{code}/sections/{section}/registrations", status_code=201, summary="Register as a bidder",
             dependencies=[require_scopes(BID), BUYER], responses=problem_responses(401, 403, 404, 409, 422))
async def register(code: str, section: str, body: RegistrationCreate, session: SessionDep, who: PrincipalDep,
                   idem: IdempotencyDep, clock: ClockDep, settings: SettingsDep) -> RegistrationRead:
    """Register an enterprise for a section (the key must act for it, ``bidding:bidder:<credit code>``), or a natural
    person to buy state property from their own signed-in account (their ID number, kept and never shown whole)."""
    project = await get_visible(session, code, who)
    target = section_of(project, section)
    row = await bidders.register(session, project, target, credit_code=body.credit_code, id_number=body.id_number,
                                 name=body.name, contact_phone=body.contact_phone, now=clock.now(), by=who,
                                 barred=settings.barred_colors)
    result = RegistrationRead(project_code=project.code, section_code=target.code, credit_code=row.credit_code,
                              bidder_kind=row.bidder_kind, name=row.name,
                              id_number=mask_resident_id(row.id_number) if row.id_number else None,
                              registered_at=row.registered_at, signed_in_at=None)
    return await idem.finish(session, result)


@router.post("/projects/{code}/sections/{section}/bids", status_code=201, summary="Submit a sealed bid",
             dependencies=[require_scopes(BID), BIDDER], responses=problem_responses(401, 403, 404, 409, 422))
async def submit_bid(code: str, section: str, body: BidSubmit, request: Request, session: SessionDep,
                     who: PrincipalDep, idem: IdempotencyDep, received_at: ReceivedAtDep, settings: SettingsDep,
                     x_device_fingerprint: Annotated[str | None, Header(max_length=200)] = None) -> Receipt:
    """Accept a sealed bid that arrived before the deadline (replacing the bidder's earlier one), with a receipt.

    The deadline is judged on the moment the request arrived, not on when a burst of bids let it
    reach the database: a bid sent in time is on time.
    """
    project = await get_visible(session, code, who)
    target = section_of(project, section)
    ip = bid_rules.client_address(request.headers.get("x-forwarded-for"), settings.trusted_proxy_hops)
    receipt = await bid_rules.submit(session, project, target, body, now=received_at, by=who, ip=ip,
                                     fingerprint=x_device_fingerprint, settings=settings)
    return await idem.finish(session, receipt)


@router.post("/projects/{code}/sections/{section}/bids/withdraw", summary="Withdraw a bid",
             dependencies=[require_scopes(BID), BIDDER], responses=problem_responses(401, 403, 404, 409, 422))
async def withdraw_bid(code: str, section: str, body: SignInRequest, session: SessionDep, who: PrincipalDep,
                       received_at: ReceivedAtDep) -> BidRead:
    """Withdraw the bidder's bid if the request arrived before the deadline; after it, 409."""
    project = await get_visible(session, code, who)
    bid = await bid_rules.withdraw(session, project, section_of(project, section), credit_code=body.credit_code,
                                   now=received_at, by=who)
    await session.commit()
    return bid_view(project, bid, opened=False)


@router.get("/projects/{code}/sections/{section}/bids", summary="A bidder's own submissions",
            dependencies=[require_scopes(BID), BIDDER], responses=problem_responses(401, 403, 404, 422))
async def my_bids(code: str, section: str, credit_code: Annotated[CreditCode, Query()], session: ReadSessionDep,
                  who: PrincipalDep) -> list[BidRead]:
    """Every submission of the bidder for a section (history kept), without content until the window closes.

    While the decryption window is open a decrypted bid's content went to its bidder in the reveal's answer
    and nowhere else: a district operator acts for any bidder, and no one may read a price then.
    """
    project = await get_visible(session, code, who)
    target = section_of(project, section)
    await bidders.registration_of(session, target, credit_code, who)
    opened = project.status not in (*SEALED, "closed", "opening")
    return [bid_view(project, b, opened=opened) for b in await bid_rules.history(session, target, credit_code)]


@router.get("/projects/{code}/sections/{section}/commitments", dependencies=[EVERYONE], summary="The commitments counted at the deadline",
            responses=problem_responses(404, 409), **public())
async def commitments(code: str, section: str, session: ReadSessionDep, who: PrincipalDep) -> CommitmentList:
    """Every counted commitment of a section, without names, once bidding has closed."""
    project = await get_visible(session, code, who)
    if project.status in SEALED or project.method == "direct":
        raise DeadlineNotReached("The commitments are published at the bid deadline.")
    target = section_of(project, section)
    bids = await bid_rules.counted(session, target)
    return CommitmentList(project_code=project.code, section_code=target.code,
                          commitments=[CommitmentRead(commitment=b.commitment, received_at=b.received_at) for b in bids])


@router.get("/receipt-key", dependencies=[EVERYONE], summary="The receipt-signing public key", **public())
async def receipt_key(session: SessionDep, settings: SettingsDep) -> ReceiptKey:
    """The Ed25519 public key that bidders verify their receipts with."""
    # A write session although it is a GET: with no key configured, the first call generates the
    # platform's receipt key and stores it for every replica (domain/bids.py, receipt_key).
    key = await bid_rules.receipt_public_key(session, settings)
    await session.commit()
    return ReceiptKey(public_key=key)


@router.post("/deposits", status_code=201, summary="Record a cash bid deposit", dependencies=[require_scopes(WRITE), AGENT],
             responses=problem_responses(401, 403, 404, 409, 422))
async def record_deposit(body: CashDepositCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                         clock: ClockDep) -> DepositRead:
    """Record a cash deposit received for a bidder and section (guarantees arrive as events)."""
    project = await managed(session, body.project_code, who)
    section_of(project, body.section_code)
    row = await bidders.upsert_deposit(session, project_code=body.project_code, section_code=body.section_code,
                                       credit_code=body.credit_code, kind="cash", reference=body.reference,
                                       amount=body.amount, account=body.account, status="secured", at=clock.now())
    return await idem.finish(session, DepositRead.model_validate(row))


@router.get("/projects/{code}/deposits", summary="Deposits of a tender", dependencies=[AGENT_OR_SUPERVISOR],
            responses=problem_responses(401, 403, 404, 409))
async def list_deposits(code: str, session: ReadSessionDep, who: PrincipalDep, clock: ClockDep) -> list[DepositRead]:
    """The deposit read model of a tender (guarantees and cash): to supervision at any time, to the managing site
    once the bid deadline passed.

    A deposit names its bidder, and a list of them counts the bidders: 招标投标法 §22 forbids the tenderer's side
    to learn either while the tender is open. The platform's own bonding flow needs no list (guarantees arrive
    as events, and the opening reads each bidder's secured amount itself); a clerk recording a cash deposit sees
    only the one recorded.
    """
    project = await get_visible(session, code, who)
    ensure_agent_or_supervisor(who, project, "The deposit list")
    if bidders_secret(project, clock.now()) and not supervises(who, project):
        raise DeadlineNotReached("Deposits name the bidders: the managing site lists them after the bid deadline "
                                 "(招标投标法 §22).")
    return [DepositRead.model_validate(r) for r in await bidders.deposits_of(session, project)]


