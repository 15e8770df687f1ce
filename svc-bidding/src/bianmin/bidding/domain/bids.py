"""Sealed bids: submission with a signed receipt, replacement, withdrawal, and the commitment list.

Nothing the platform stores or serves before the opening reveals a bid's content: it holds the
AES-GCM ciphertext, nonce and commitment (see :mod:`bianmin.bidding.sealing`), never the data key.
The deadline is strict: a bid received at ``deadline − 1 µs`` is accepted, at the deadline refused.

The submitting address is the one the gateway appended to ``X-Forwarded-For`` (the right-most
entry; ``trusted_proxy_hops`` entries further left when the gateway sits behind trusted load
balancers). Entries a client wrote itself are never believed. The device fingerprint comes from
the ``X-Device-Fingerprint`` header or the body's ``device_fingerprint``. The bid tool may send the
code of the machine that made the bid file (``machine_code``), and who acted is kept (``acting_id``):
both feed the collusion indicators of 实施条例 §40(1)-(2) once the bids are opened.

Receipts are Ed25519 signatures over the canonical receipt (project, section, bidder,
commitment, received_at); the key comes from the ``receipt_signing_key`` setting or, when that is
empty, is generated once and kept in the database so every replica signs with the same key.
"""

from __future__ import annotations

import base64
import ipaddress
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding import sealing
from bianmin.bidding.domain.bidders import ensure_eligible, registration_of
from bianmin.bidding.domain.common import acting_id, new_id
from bianmin.bidding.domain.errors import DeadlinePassed, NoActiveBid
from bianmin.bidding.domain.keys import raw_public, signing_key
from bianmin.bidding.models import Bid, Project, Section
from bianmin.bidding.schemas import BidSubmit, Receipt
from bianmin.bidding.settings import BiddingSettings
from bianmin.contracts.events.bidding import BidSubmitted
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.identity import Principal

OPENED = ("revealed", "escrow")
"""The ``reveal_status`` of an opened bid, however it was opened: by its bidder's own key or by the
custodians' escrow shares. 招标投标法 §36 and 《电子招标投标办法》 open every bid the same way, so every
opened bid meets the same validity checks and collusion screens."""

RECEIPT_PURPOSE = "receipt"


def too_few_valid(project: Project, valid: int) -> str | None:
    """Why a section fails by itself with ``valid`` valid bids after the opening, or None when it goes on.

    招标投标法 §42 and 评标委员会和评标方法暂行规定 §27 leave a thin field (fewer than three valid bids)
    to the committee, which may reject every bid when competition is plainly lacking; nothing fails
    it automatically unless the tender's documents set a floor (``min_valid_bids``, e.g. a
    government purchase under 政府采购法 §36). With no valid bid there is nothing to evaluate.
    """
    if valid == 0:
        return "0 valid bid(s): nothing to evaluate"
    if project.min_valid_bids is not None and valid < project.min_valid_bids:
        return f"{valid} valid bid(s), fewer than {project.min_valid_bids} (the tender's floor)"
    return None


async def receipt_key(session: AsyncSession, settings: BiddingSettings) -> Ed25519PrivateKey:
    """The platform's receipt-signing key: configured, or generated once and shared through the database."""
    return await signing_key(session, RECEIPT_PURPOSE, settings.receipt_signing_key.get_secret_value())


async def receipt_public_key(session: AsyncSession, settings: BiddingSettings) -> str:
    """The receipt key's public half, raw and base64, for bidders to verify receipts."""
    return raw_public(await receipt_key(session, settings))


def client_address(forwarded_for: str | None, hops: int) -> str | None:
    """The submitting address from the gateway's ``X-Forwarded-For`` (see the module docstring)."""
    chain = [part.strip() for part in (forwarded_for or "").split(",") if part.strip()]
    if len(chain) <= hops:
        return None
    candidate = chain[-1 - hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


async def active_bid(session: AsyncSession, section: Section, credit_code: str) -> Bid | None:
    """The bidder's current (not replaced, not withdrawn) bid for a section."""
    return (await session.execute(select(Bid).where(Bid.section_id == section.id, Bid.credit_code == credit_code,
                                                    Bid.status == "active"))).scalar_one_or_none()


def _ensure_open(project: Project, now: datetime) -> None:
    if project.status != "published" or now >= project.bid_deadline:
        raise DeadlinePassed(f"Bidding on {project.code} closed at {project.bid_deadline.isoformat()}.")


async def submit(session: AsyncSession, project: Project, section: Section, body: BidSubmit, *, now: datetime,
                 by: Principal, ip: str | None, fingerprint: str | None, settings: BiddingSettings) -> Receipt:
    """Accept a sealed bid (replacing the bidder's earlier one) and return its signed receipt."""
    _ensure_open(project, now)
    registration = await registration_of(session, section, body.credit_code, by)
    await ensure_eligible(session, body.credit_code, settings.barred_colors)
    try:
        nonce = base64.b64decode(body.nonce, validate=True)
        ciphertext = base64.b64decode(body.ciphertext, validate=True)
    except ValueError as exc:
        raise Unprocessable.field("ciphertext", "is not base64") from exc
    if len(ciphertext) != sealing.SEALED_BYTES:  # §22: a shorter or longer one would tell the price's digits
        raise Unprocessable.field("ciphertext", f"must be {sealing.SEALED_BYTES} bytes: a package padded by sealing.seal")
    if len(nonce) != sealing.NONCE_BYTES:
        raise Unprocessable.field("nonce", "must be 12 bytes")
    if body.escrow_wrapped_key and not project.escrow_public_key:
        raise Unprocessable.field("escrow_wrapped_key", "this tender has no escrow key")
    previous = await active_bid(session, section, body.credit_code)
    version = 1
    if previous is not None:
        previous.status, previous.ended_at = "replaced", now
        version = previous.version + 1
    received_at = now.isoformat()
    message = sealing.receipt_message(project=project.code, section=section.code, bidder=body.credit_code,
                                      commitment=body.commitment, received_at=received_at)
    key = await receipt_key(session, settings)
    signature = base64.b64encode(key.sign(message)).decode()
    bid = Bid(id=new_id(), project_id=project.id, section_id=section.id, registration_id=registration.id,
              credit_code=body.credit_code, version=version, status="active", ciphertext=body.ciphertext,
              nonce=body.nonce, commitment=body.commitment, escrow_wrapped_key=body.escrow_wrapped_key,
              submitted_ip=ip, device_fingerprint=fingerprint or body.device_fingerprint,
              machine_code=body.machine_code, submitted_by=acting_id(by), received_at=now,
              receipt_signature=signature, reveal_status="sealed")
    session.add(bid)
    await session.flush()
    await emit(session, "bidding.bid.submitted", BidSubmitted(
        project_code=project.code, section_code=section.code, commitment=body.commitment, received_at=now),
        tenant=project.tenant, about=project.code)
    return Receipt(bid_id=bid.id, version=version, project=project.code, section=section.code,
                   bidder=body.credit_code, commitment=body.commitment, received_at=received_at,
                   signature=signature, public_key=raw_public(key))


async def withdraw(session: AsyncSession, project: Project, section: Section, *, credit_code: str, now: datetime,
                   by: Principal) -> Bid:
    """Withdraw the bidder's active bid before the deadline (the row stays as history)."""
    _ensure_open(project, now)
    await registration_of(session, section, credit_code, by)
    bid = await active_bid(session, section, credit_code)
    if bid is None:
        raise NoActiveBid("There is no active bid to withdraw.")
    bid.status, bid.ended_at = "withdrawn", now
    await session.flush()
    return bid


async def history(session: AsyncSession, section: Section, credit_code: str) -> list[Bid]:
    """Every submission of a bidder for a section, oldest first."""
    return list((await session.execute(select(Bid).where(Bid.section_id == section.id, Bid.credit_code == credit_code)
                                       .order_by(Bid.version))).scalars())


async def counted(session: AsyncSession, section: Section) -> list[Bid]:
    """The bids a section counts: the active one of each bidder."""
    return list((await session.execute(select(Bid).where(Bid.section_id == section.id, Bid.status == "active")
                                       .order_by(Bid.commitment))).scalars())
