"""Bidders: registration per section, the credit-color eligibility read model, and deposits.

Eligibility comes from ``credit.enterprise.color_changed``: an enterprise whose last announced
color is one of the ``barred_colors`` setting (red and orange by default) may neither register nor
bid. An enterprise credit has never announced counts as eligible (no record, no restriction).

Who acts for a bidder: a key whose party scopes name the enterprise (``bidding:bidder:<credit code>``,
granted by a district operator, see ``bianmin.kit.identity.PARTY_ROLES``), or a district operator.
Naming a credit code proves nothing, so neither registering first nor ``admin`` of a township makes
a key the enterprise's: every app bound to the enterprise acts for its registration, no other key does.

Natural persons (自然人) may register to buy state property (``state_property`` projects only; 企业国有
资产交易监督管理办法 lets any qualified buyer, natural persons among them, take part in a transfer):

- A person registers from their own signed-in account (a citizen subject the gateway knows by a
  resident ID number, id ``cit:<keyed hash>``), giving their ID number (GB 11643-1999, birth date
  and check digit verified) and name. No app key and no enterprise acts for a person. The gateway
  keeps the number out of its tokens, so bidding cannot prove the number is the account's own; it
  binds them instead: an account registers one person, and a number registered from one account
  cannot be registered from another (403 ``not_the_bidder``). The trading centre checks the person's
  papers at signing, as it does at its counter.
- Keying: everything downstream (deposits, auction bids, the result, events) keys a bidder by the
  ``credit_code`` column. A person is keyed by a pseudonymous bidder code there instead, ``Z`` and
  17 random hex digits (no credit code holds a Z), the same for all of the account's registrations;
  the registration keeps ``bidder_kind = "person"``, the ID number, the own name and the account.
  ``name`` holds the masked name (``张*``), so every view, opening record, OCDS release and archive
  that names bidders shows the mask; the ID number appears only masked, in the registration's
  answer, and leaves through no public view, event, export or log. Only the registering account
  acts for the code (bids, final offers); a person has no credit color, so the color bar does not
  apply (the exchange's own qualification checks do).
- A person buys at the sale's online auction (deposits, ascending bids, final offers, the result);
  a state-property sale without an auction takes sealed bids, whose opening is built for
  enterprises, so it registers enterprises only.

A deposit is secured when the secured deposits of the bidder for the section (guarantees from
``guarantee.guarantee.issued``, cash deposits recorded by the trading centre) add up to at least
the section's bid bond; ``guarantee.guarantee.released`` takes a guarantee away again.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.common import acting_id
from bianmin.bidding.domain.errors import AlreadyRegistered, CreditBarred, NotInvited, NotRegistered, NotTheBidder, RegistrationClosed
from bianmin.bidding.models import Auction, Deposit, EnterpriseColor, Invitation, Project, Registration, Section
from bianmin.bidding.schemas.common import PERSON_CODE
from bianmin.kit import subjects
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identifiers import mask_name
from bianmin.kit.identity import Principal

ENTERPRISE, PERSON = "enterprise", "person"
PERSON_CATEGORIES = ("state_property",)
# The gateway names a citizen it knows by a resident ID number ``cit:<HMAC of the number>``
# (bianmin.gateway.domain.assertions.citizen_id); one known only by an app's own user id is not identified.
IDENTIFIED_CITIZEN = "cit:"


def is_person_code(code: str) -> bool:
    """Whether ``code`` is a natural person's bidder code rather than a credit code."""
    return re.fullmatch(PERSON_CODE, code) is not None


async def color_of(session: AsyncSession, credit_code: str) -> str | None:
    """The enterprise's last announced five-color code, or None."""
    return (await session.execute(select(EnterpriseColor.color)
                                  .where(EnterpriseColor.credit_code == credit_code))).scalar_one_or_none()


async def ensure_eligible(session: AsyncSession, credit_code: str, barred: list[str]) -> None:
    """403 when the enterprise's credit color bars it from bidding."""
    color = await color_of(session, credit_code)
    if color is not None and color in barred:
        raise CreditBarred(f"Enterprise {credit_code} holds a {color} credit code, which bars bidding.")


async def set_color(session: AsyncSession, *, credit_code: str, name: str, color: str, at: datetime) -> None:
    """Apply a color change unless a newer one was applied already (events can arrive out of order)."""
    row = await session.get(EnterpriseColor, credit_code)
    if row is None:
        session.add(EnterpriseColor(credit_code=credit_code, name=name, color=color, changed_at=at))
    elif at >= row.changed_at:
        row.name, row.color, row.changed_at = name, color, at
    await session.flush()


BIDDER_ROLE = "bidding:bidder"


def ensure_acts_for(by: Principal, credit_code: str) -> None:
    """403 unless the principal speaks for the enterprise (its party scope, or a district operator)."""
    if not by.acts_for(BIDDER_ROLE, credit_code):
        raise NotTheBidder(f"This key does not act for {credit_code} (scope {BIDDER_ROLE}:<credit code>, "
                        "granted by a district operator).")


def _account_of(by: Principal) -> str | None:
    """The identified citizen account acting, or None."""
    if by.subject is None or by.subject.kind != subjects.CITIZEN or not by.subject.id.startswith(IDENTIFIED_CITIZEN):
        return None
    return by.subject.id


async def _person_code(session: AsyncSession, *, account: str, id_number: str) -> str:
    """The bidder code of the person the account registers: its earlier one, or a fresh one; 403 on a mismatch."""
    mine = (await session.execute(select(Registration.credit_code, Registration.id_number).where(
        Registration.owner_subject == account, Registration.bidder_kind == PERSON).limit(1))).first()
    if mine is not None and mine.id_number != id_number:
        raise NotTheBidder("This account registered another person; a person registers from their own account.")
    theirs = (await session.execute(select(Registration.id).where(
        Registration.id_number == id_number, Registration.owner_subject != account).limit(1))).first()
    if theirs is not None:
        raise NotTheBidder("This ID number was registered from another account; a person registers from their own.")
    return mine.credit_code if mine is not None else "Z" + secrets.token_hex(9)[:17].upper()


async def register(session: AsyncSession, project: Project, section: Section, *, credit_code: str | None,
                   id_number: str | None, name: str, contact_phone: str | None, now: datetime, by: Principal,
                   barred: list[str]) -> Registration:
    """Register a bidder for a section of a published tender before its deadline: an enterprise, or a person."""
    if id_number is not None:
        if credit_code is not None:
            raise Unprocessable.field("id_number", "a registration names an enterprise's credit_code or a natural "
                                      "person's id_number, not both")
        return await _register_person(session, project, section, id_number=id_number, name=name,
                                      contact_phone=contact_phone, now=now, by=by)
    if credit_code is None:
        raise Unprocessable.field("credit_code", "an enterprise registers by its credit code (a natural person buying "
                                  "state property by id_number)")
    ensure_acts_for(by, credit_code)
    _ensure_open(project, now)
    await ensure_eligible(session, credit_code, barred)
    if project.method == "invited":
        invited = (await session.execute(select(Invitation.id).where(
            Invitation.project_id == project.id, Invitation.credit_code == credit_code))).first()
        if invited is None:
            raise NotInvited(f"{credit_code} was not invited to this tender.")
    exists = (await session.execute(select(Registration.id).where(
        Registration.section_id == section.id, Registration.credit_code == credit_code))).first()
    if exists:
        raise AlreadyRegistered(f"{credit_code} is registered for this section already.")
    registration = Registration(project_id=project.id, section_id=section.id, credit_code=credit_code, name=name,
                                contact_phone=contact_phone, owner_key=by.key_id or "anonymous",
                                registered_by=acting_id(by), registered_at=now)
    session.add(registration)
    await session.flush()
    return registration


def _ensure_open(project: Project, now: datetime) -> None:
    if project.status != "published" or now >= project.bid_deadline:
        raise RegistrationClosed("Registration is open only while the tender is published and before its deadline.")


async def _register_person(session: AsyncSession, project: Project, section: Section, *, id_number: str, name: str,
                           contact_phone: str | None, now: datetime, by: Principal) -> Registration:
    """Register a natural person to buy state property, from their own identified account, under a bidder code."""
    if project.category not in PERSON_CATEGORIES:
        raise Unprocessable.field("id_number", "natural persons register to buy state property only; land use rights "
                                  "and tenders take enterprises (credit_code)")
    if project.method == "invited":
        raise Unprocessable.field("id_number", "an invited sale takes the invited enterprises only")
    if (await session.execute(select(Auction.id).where(Auction.project_id == project.id))).first() is None:
        raise Unprocessable.field("id_number", "natural persons buy state property at its online auction; this sale "
                                  "takes sealed bids from enterprises")
    account = _account_of(by)
    if account is None:
        raise NotTheBidder("A natural person registers from their own signed-in account, identified by their resident "
                           "ID number; no app or enterprise registers for them.")
    _ensure_open(project, now)
    code = await _person_code(session, account=account, id_number=id_number)
    exists = (await session.execute(select(Registration.id).where(
        Registration.section_id == section.id, Registration.credit_code == code))).first()
    if exists:
        raise AlreadyRegistered("This person is registered for this section already.")
    registration = Registration(project_id=project.id, section_id=section.id, credit_code=code, name=mask_name(name),
                                contact_phone=contact_phone, owner_key=by.key_id or "anonymous", registered_at=now,
                                bidder_kind=PERSON, id_number=id_number, person_name=name, owner_subject=account)
    session.add(registration)
    await session.flush()
    return registration


async def _ensure_acts_for_person(session: AsyncSession, by: Principal, code: str) -> None:
    """403 unless the acting account registered the person behind ``code``."""
    owner = (await session.execute(select(Registration.owner_subject).where(
        Registration.credit_code == code, Registration.bidder_kind == PERSON).limit(1))).scalar_one_or_none()
    if owner is None or _account_of(by) != owner:
        raise NotTheBidder(f"Only the account that registered the person acts for bidder {code}.")


async def registration_of(session: AsyncSession, section: Section, credit_code: str, by: Principal) -> Registration:
    """The bidder's registration for a section, for a principal that acts for the enterprise (or is the person)."""
    if is_person_code(credit_code):
        await _ensure_acts_for_person(session, by, credit_code)
    else:
        ensure_acts_for(by, credit_code)
    registration = (await session.execute(select(Registration).where(
        Registration.section_id == section.id, Registration.credit_code == credit_code))).scalar_one_or_none()
    if registration is None:
        raise NotRegistered(f"{credit_code} is not registered for section {section.code}.")
    return registration


async def secured_amount(session: AsyncSession, *, project_code: str, section_code: str, credit_code: str) -> Decimal:
    """The sum of the bidder's secured deposits for a section."""
    rows = (await session.execute(select(Deposit.amount).where(
        Deposit.project_code == project_code, Deposit.section_code == section_code,
        Deposit.credit_code == credit_code, Deposit.status == "secured"))).scalars().all()
    return sum(rows, Decimal(0))


async def deposit_accounts(session: AsyncSession, *, project_code: str, section_code: str) -> dict[str, list[str]]:
    """The payer accounts of the section's cash deposits, per bidder."""
    rows = (await session.execute(select(Deposit.credit_code, Deposit.account).where(
        Deposit.project_code == project_code, Deposit.section_code == section_code,
        Deposit.account.is_not(None)))).all()
    out: dict[str, list[str]] = {}
    for credit_code, account in rows:
        out.setdefault(credit_code, []).append(account)
    return out


async def upsert_deposit(session: AsyncSession, *, project_code: str, section_code: str, credit_code: str,
                         kind: str, reference: str, amount: Decimal, account: str | None, status: str,
                         at: datetime) -> Deposit:
    """Record a deposit, or update its status (a redelivered or later event overwrites in place)."""
    row = (await session.execute(select(Deposit).where(
        Deposit.project_code == project_code, Deposit.section_code == section_code,
        Deposit.credit_code == credit_code, Deposit.reference == reference))).scalar_one_or_none()
    if row is None:
        row = Deposit(project_code=project_code, section_code=section_code, credit_code=credit_code, kind=kind,
                      reference=reference, amount=amount, account=account, status=status, updated_at=at)
        session.add(row)
    else:
        row.status, row.amount, row.updated_at = status, amount, at
    await session.flush()
    return row


async def deposits_of(session: AsyncSession, project: Project) -> list[Deposit]:
    """The deposit read model of a tender (guarantees and cash), in the order recorded."""
    return list((await session.execute(select(Deposit).where(Deposit.project_code == project.code)
                                       .order_by(Deposit.id))).scalars())
