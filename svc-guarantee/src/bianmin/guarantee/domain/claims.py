"""Demands (claims) under a guarantee: filed with a statement, examined within five working days,
then paid or rejected with every discrepancy listed in one notice (URDG 758 art. 15, 20, 24).

The examination deadline counts working days on the district calendar; counted into a year whose
State Council holiday notice is not loaded, it is provisional (days there counted by weekends alone)
and ``examine_by_basis`` records why.

A demand is valid only while the guarantee is issued and not past its expiry. Filing moves the
guarantee to ``claimed``; payment ends it ``paid``; a rejection returns it to ``issued`` (the
guarantee stays in force and a complying demand may follow). A decision after the examination
deadline is still recorded, marked late. ``bidding.bidder.defaulted`` files a demand for the full
amount of the defaulting bidder's bid bond on the tenderer's behalf.

**Extend or pay** (URDG 758 art. 23). A demand of kind ``extend_or_pay`` asks, as an alternative
to payment, that the expiry be extended to ``requested_expires_on``. The issuer may then suspend
payment (``examining`` → ``suspended``) until a day at most 30 calendar days after the demand was
received (Asia/Shanghai dates). While suspended:
- an extension amendment to at least the requested date (the applicant agreed; the issuer amends)
  makes the demand *deemed withdrawn* (``withdrawn``) and the guarantee returns to ``issued``;
- payment is refused (409 ``payment_suspended``), and so is a rejection: suspending is the
  issuer's answer to a complying demand;
- when the period ends without that extension the demand becomes ``payable`` (by the worker, or
  at the latest when the issuer pays): the issuer pays without any further demand (art. 23(d)).
A shorter extension does not satisfy the demand; the suspension runs on.
Claim states: ``examining`` → ``paid`` | ``rejected`` | ``suspended`` → ``withdrawn`` | ``payable`` → ``paid``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.guarantee import GuaranteePaid
from bianmin.guarantee.domain import access, ledger, projects
from bianmin.guarantee.domain.errors import (
    ClaimNotFound,
    ClaimTransitionForbidden,
    GuaranteeExpired,
    GuaranteeTransitionForbidden,
    NotExtendOrPay,
    PaymentSuspended,
)
from bianmin.guarantee.domain.keys import KeyRing
from bianmin.guarantee.domain.records import publish, status_payload, step
from bianmin.guarantee.models import Claim, Guarantee
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identity import Principal
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.workdays import SHANGHAI, WorkCalendar, local_date

EXAMINATION_WORKING_DAYS = 5
MAX_SUSPENSION_DAYS = 30
MAX_EXTENSION = timedelta(days=3 * 366)
OPEN = ("examining", "suspended", "payable")


async def get_claim(session: AsyncSession, number: str, *, lock: bool = False) -> tuple[Claim, Guarantee]:
    """A claim and its guarantee by claim number (both locked for a decision); 404 when unknown."""
    claim = (await session.execute(select(Claim).where(Claim.number == number))).scalar_one_or_none()
    if claim is None:
        raise ClaimNotFound(f"No claim {number}.")
    statement = select(Guarantee).where(Guarantee.id == claim.guarantee_id)
    if not lock:
        return claim, (await session.execute(statement)).scalar_one()
    # The guarantee first, then the claim: the order every writer of both takes, so none deadlock.
    guarantee = (await session.execute(statement.with_for_update()
                                       .execution_options(populate_existing=True))).scalar_one()
    claim = (await session.execute(select(Claim).where(Claim.id == claim.id).with_for_update()
                                   .execution_options(populate_existing=True))).scalar_one()
    return claim, guarantee


async def listed(session: AsyncSession, page: PageParams, *, principal: Principal, status: str | None = None,
                 overdue_at: datetime | None = None) -> tuple[list[tuple[Claim, Guarantee]], str | None]:
    """One page of the demands ``principal`` may see, each with its guarantee, oldest first.

    ``overdue_at`` keeps only demands still under examination whose deadline was before that instant.
    """
    statement = select(Claim, Guarantee).join(Guarantee, Guarantee.id == Claim.guarantee_id)
    visible = access.visibility(principal)
    if visible is not None:
        statement = statement.where(visible)
    if status:
        statement = statement.where(Claim.status == status)
    if overdue_at is not None:
        statement = statement.where(Claim.status == "examining", Claim.examine_by < overdue_at)
    rows, cursor = await paginate(session, statement, page, keys=[Claim.id], scalars=False)
    return [(claim, guarantee) for claim, guarantee in rows], cursor


async def claims_of(session: AsyncSession, guarantee: Guarantee) -> list[Claim]:
    """Every claim on a guarantee, oldest first."""
    return list((await session.execute(select(Claim).where(Claim.guarantee_id == guarantee.id)
                                       .order_by(Claim.id))).scalars())


async def open_claim(session: AsyncSession, guarantee: Guarantee) -> Claim | None:
    """The demand under examination or suspension on a guarantee, if any."""
    return (await session.execute(select(Claim).where(Claim.guarantee_id == guarantee.id, Claim.status.in_(OPEN))
                                  .order_by(Claim.id.desc()).limit(1))).scalar_one_or_none()


async def file(session: AsyncSession, guarantee: Guarantee, *, amount: Decimal, statement: str, source: str,
               actor: str, calendar: WorkCalendar, keyring: KeyRing, now: datetime, kind: str = "pay",
               requested_expires_on: date | None = None) -> Claim:
    """File a demand; the examination deadline is five working days after today (day zero)."""
    if guarantee.status != "issued":
        raise GuaranteeTransitionForbidden(f"Guarantee {guarantee.number} is {guarantee.status}; no demand can be made.")
    today = local_date(now)
    if today > guarantee.expires_on:
        raise GuaranteeExpired(f"Guarantee {guarantee.number} expired on {guarantee.expires_on}.")
    if amount <= 0 or amount > guarantee.amount:
        raise Unprocessable.field("amount", f"must be above zero and at most the guaranteed {guarantee.amount}")
    if not statement.strip():
        raise Unprocessable.field("statement", "a demand carries a supporting statement")
    if kind == "extend_or_pay":
        if requested_expires_on is None or requested_expires_on <= guarantee.expires_on:
            raise Unprocessable.field("requested_expires_on",
                                      f"an extend-or-pay demand asks for an expiry after {guarantee.expires_on}")
        if requested_expires_on - today > MAX_EXTENSION:
            raise Unprocessable.field("requested_expires_on", "must be within three years")
    elif requested_expires_on is not None:
        raise Unprocessable.field("requested_expires_on", "only an extend-or-pay demand asks for an extension")
    count = (await session.execute(select(func.count()).select_from(Claim)
                                   .where(Claim.guarantee_id == guarantee.id))).scalar_one()
    examine_by = calendar.deadline(now, EXAMINATION_WORKING_DAYS)
    claim = Claim(number=f"{guarantee.number}-C{count + 1}", guarantee_id=guarantee.id, status="examining",
                  kind=kind, requested_expires_on=requested_expires_on, suspended_until=None,
                  amount=amount, statement=statement, source=source, filed_by=actor, filed_at=now,
                  examine_by=examine_by, examine_by_basis=calendar.provisional_reason(today, local_date(examine_by)),
                  discrepancies=[])
    session.add(claim)
    await session.flush()
    await ledger.append(session, keyring, kind="claimed", number=guarantee.number, now=now, claim=claim.number,
                        statement_hash=hashlib.sha256(statement.encode()).hexdigest())
    await step(session, guarantee, action="claimed", to="claimed", actor=actor, now=now, claim=claim.number,
               amount=str(amount), source=source, kind=kind,
               requested_expires_on=requested_expires_on.isoformat() if requested_expires_on else None)
    await publish(session, "guarantee.guarantee.claimed", guarantee, now)
    return claim


def latest_suspension_day(claim: Claim) -> date:
    """The last day payment may be suspended: 30 calendar days after the demand was received."""
    return local_date(claim.filed_at) + timedelta(days=MAX_SUSPENSION_DAYS)


async def suspend(session: AsyncSession, claim: Claim, guarantee: Guarantee, *, until: date, actor: str,
                  keyring: KeyRing, now: datetime) -> Claim:
    """Suspend payment of an extend-or-pay demand until the end of ``until`` (at most 30 days after receipt)."""
    if claim.kind != "extend_or_pay":
        raise NotExtendOrPay(f"Claim {claim.number} asks for payment only; it cannot be suspended.")
    if claim.status != "examining":
        raise ClaimTransitionForbidden(
            f"Claim {claim.number} is {claim.status}; only a demand under examination is suspended.")
    if until < local_date(now) or until > latest_suspension_day(claim):
        raise Unprocessable.field("until", f"must be between today and {latest_suspension_day(claim)} "
                                           f"({MAX_SUSPENSION_DAYS} calendar days after the demand)")
    claim.status = "suspended"
    claim.suspended_until = datetime.combine(until, time(23, 59, 59), tzinfo=SHANGHAI).astimezone(UTC)
    await ledger.append(session, keyring, kind="claim_suspended", number=guarantee.number, now=now,
                        claim=claim.number, until=until.isoformat())
    await step(session, guarantee, action="payment_suspended", to="claimed", actor=actor, now=now,
               claim=claim.number, until=until.isoformat(),
               requested_expires_on=claim.requested_expires_on.isoformat() if claim.requested_expires_on else None)
    return claim


async def _lapse(session: AsyncSession, claim: Claim, guarantee: Guarantee, *, now: datetime) -> None:
    claim.status = "payable"
    await step(session, guarantee, action="suspension_lapsed", to="claimed", actor="system", now=now,
               claim=claim.number, reason="the requested extension was not made; payment is due")


async def lapse_suspensions(session: AsyncSession, *, now: datetime, limit: int = 200) -> list[str]:
    """Make payable every suspended demand whose period ended without the extension; the claim numbers."""
    due = (await session.execute(select(Claim).where(Claim.status == "suspended", Claim.suspended_until < now)
                                 .order_by(Claim.id).limit(limit))).scalars().all()
    for claim in due:
        guarantee = await session.get(Guarantee, claim.guarantee_id)
        assert guarantee is not None
        await _lapse(session, claim, guarantee, now=now)
    return [c.number for c in due]


async def pay(session: AsyncSession, claim: Claim, guarantee: Guarantee, *, payment_reference: str, actor: str,
              keyring: KeyRing, now: datetime) -> Claim:
    """Pay a complying demand: the claim is paid and the guarantee ends ``paid``."""
    if claim.status == "suspended":
        if claim.suspended_until is not None and now <= claim.suspended_until:
            raise PaymentSuspended(f"Payment of {claim.number} is suspended until {claim.suspended_until.date()}.")
        await _lapse(session, claim, guarantee, now=now)
    if claim.status not in ("examining", "payable"):
        raise ClaimTransitionForbidden(f"Claim {claim.number} is {claim.status} already.")
    claim.status, claim.decided_by, claim.decided_at = "paid", actor, now
    claim.payment_reference = payment_reference
    await ledger.append(session, keyring, kind="paid", number=guarantee.number, now=now, claim=claim.number,
                        amount=str(claim.amount))
    guarantee.closed_at = now
    await step(session, guarantee, action="paid", to="paid", actor=actor, now=now, claim=claim.number,
               late=claim.suspended_until is None and now > claim.examine_by)
    await publish(session, "guarantee.guarantee.paid", guarantee, now, GuaranteePaid(
        **status_payload(guarantee, now), claim_number=claim.number, paid_amount=claim.amount))
    return claim


async def reject(session: AsyncSession, claim: Claim, guarantee: Guarantee, *, discrepancies: list[str], actor: str,
                 keyring: KeyRing, now: datetime) -> Claim:
    """Reject a demand with every discrepancy in one notice; the guarantee returns to ``issued``."""
    if claim.status != "examining":
        raise ClaimTransitionForbidden(
            f"Claim {claim.number} is {claim.status}; only a demand under examination is rejected.")
    listed = [d.strip() for d in discrepancies if d.strip()]
    if not listed:
        raise Unprocessable.field("discrepancies", "a rejection lists every discrepancy (at least one)")
    claim.status, claim.decided_by, claim.decided_at, claim.discrepancies = "rejected", actor, now, listed
    await ledger.append(session, keyring, kind="claim_rejected", number=guarantee.number, now=now,
                        claim=claim.number)
    await step(session, guarantee, action="claim_rejected", to="issued", actor=actor, now=now, claim=claim.number,
               discrepancies=listed, late=now > claim.examine_by)
    await projects.release_if_ended(session, guarantee, keyring=keyring, now=now)
    return claim


async def withdraw_if_extended(session: AsyncSession, guarantee: Guarantee, *, actor: str, keyring: KeyRing,
                               now: datetime) -> Claim | None:
    """After an extension amendment: the open extend-or-pay demand it satisfies is deemed withdrawn.

    The guarantee returns to ``issued``; None when no open demand asked for at most the new expiry.
    """
    claim = await open_claim(session, guarantee)
    if (claim is None or claim.kind != "extend_or_pay" or claim.requested_expires_on is None
            or claim.requested_expires_on > guarantee.expires_on):
        return None
    claim.status, claim.decided_by, claim.decided_at = "withdrawn", actor, now
    await ledger.append(session, keyring, kind="claim_withdrawn", number=guarantee.number, now=now,
                        claim=claim.number)
    await step(session, guarantee, action="claim_withdrawn", to="issued", actor=actor, now=now, claim=claim.number,
               reason=f"extended to {guarantee.expires_on} as the demand asked (URDG 758 art. 23(c))")
    await projects.release_if_ended(session, guarantee, keyring=keyring, now=now)
    return claim


async def open_for_default(session: AsyncSession, *, project_code: str, section_code: str, credit_code: str,
                           reason: str, detail: str, calendar: WorkCalendar, keyring: KeyRing,
                           now: datetime) -> Claim | None:
    """File the tenderer's demand on a defaulting bidder's bid bond; None when it has none in force."""
    guarantee = (await session.execute(select(Guarantee).where(
        Guarantee.project_code == project_code, Guarantee.section_code == section_code,
        Guarantee.applicant_credit_code == credit_code, Guarantee.type == "bid_bond",
        Guarantee.status == "issued"))).scalar_one_or_none()
    if guarantee is None or local_date(now) > guarantee.expires_on:
        return None
    statement = f"The bidder defaulted ({reason}): {detail}".strip()
    return await file(session, guarantee, amount=guarantee.amount, statement=statement,
                      source="bidding.bidder.defaulted", actor="bidding (event)", calendar=calendar,
                      keyring=keyring, now=now)
