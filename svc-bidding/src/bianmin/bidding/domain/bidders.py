"""Bidders: registration per section, the credit-color eligibility read model, and deposits.

Eligibility comes from ``credit.enterprise.color_changed``: an enterprise whose last announced
color is one of the ``barred_colors`` setting (red and orange by default) may neither register nor
bid. An enterprise credit has never announced counts as eligible (no record, no restriction).

Who acts for a bidder: a key whose party scopes name the enterprise (``bidding:bidder:<credit code>``,
granted by a district operator, see ``bianmin.kit.identity.PARTY_ROLES``), or a district operator.
Naming a credit code proves nothing, so neither registering first nor ``admin`` of a township makes
a key the enterprise's: every app bound to the enterprise acts for its registration, no other key does.

A deposit is secured when the secured deposits of the bidder for the section (guarantees from
``guarantee.guarantee.issued``, cash deposits recorded by the trading centre) add up to at least
the section's bid bond; ``guarantee.guarantee.released`` takes a guarantee away again.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.common import acting_id
from bianmin.bidding.domain.errors import AlreadyRegistered, CreditBarred, NotInvited, NotRegistered, NotTheBidder, RegistrationClosed
from bianmin.bidding.models import Deposit, EnterpriseColor, Invitation, Project, Registration, Section
from bianmin.kit.identity import Principal


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


async def register(session: AsyncSession, project: Project, section: Section, *, credit_code: str, name: str,
                   contact_phone: str | None, now: datetime, by: Principal, barred: list[str]) -> Registration:
    """Register a bidder for a section of a published tender before its deadline."""
    ensure_acts_for(by, credit_code)
    if project.status != "published" or now >= project.bid_deadline:
        raise RegistrationClosed("Registration is open only while the tender is published and before its deadline.")
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


async def registration_of(session: AsyncSession, section: Section, credit_code: str, by: Principal) -> Registration:
    """The bidder's registration for a section, for a principal that acts for the enterprise."""
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
