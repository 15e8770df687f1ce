"""Demands (claims) under a guarantee: filed with a statement, examined within five working days,
then paid or rejected with every discrepancy listed in one notice (URDG 758 art. 15, 20, 24).

A demand is valid only while the guarantee is issued and not past its expiry. Filing moves the
guarantee to ``claimed``; payment ends it ``paid``; a rejection returns it to ``issued`` (the
guarantee stays in force and a complying demand may follow). A decision after the examination
deadline is still recorded, marked late. ``bidding.bidder.defaulted`` files a demand for the full
amount of the defaulting bidder's bid bond on the tenderer's behalf.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.guarantee import GuaranteePaid
from bianmin.guarantee.domain import ledger
from bianmin.guarantee.domain.records import publish, status_payload, step
from bianmin.guarantee.models import Claim, Guarantee
from bianmin.kit.errors import Conflict, NotFound, Unprocessable
from bianmin.kit.workdays import WorkCalendar, local_date

EXAMINATION_WORKING_DAYS = 5


async def get_claim(session: AsyncSession, number: str) -> tuple[Claim, Guarantee]:
    """A claim and its guarantee by claim number; 404 when unknown."""
    claim = (await session.execute(select(Claim).where(Claim.number == number))).scalar_one_or_none()
    if claim is None:
        raise NotFound(f"No claim {number}.", code="claim_not_found")
    guarantee = await session.get(Guarantee, claim.guarantee_id)
    assert guarantee is not None
    return claim, guarantee


async def claims_of(session: AsyncSession, guarantee: Guarantee) -> list[Claim]:
    """Every claim on a guarantee, oldest first."""
    return list((await session.execute(select(Claim).where(Claim.guarantee_id == guarantee.id)
                                       .order_by(Claim.id))).scalars())


async def file(session: AsyncSession, guarantee: Guarantee, *, amount: Decimal, statement: str, source: str,
               actor: str, calendar: WorkCalendar, now: datetime) -> Claim:
    """File a demand; the examination deadline is five working days after today (day zero)."""
    if guarantee.status != "issued":
        raise Conflict(f"Guarantee {guarantee.number} is {guarantee.status}; no demand can be made.",
                       code="invalid_transition")
    if local_date(now) > guarantee.expires_on:
        raise Conflict(f"Guarantee {guarantee.number} expired on {guarantee.expires_on}.", code="guarantee_expired")
    if amount <= 0 or amount > guarantee.amount:
        raise Unprocessable.field("amount", f"must be above zero and at most the guaranteed {guarantee.amount}")
    if not statement.strip():
        raise Unprocessable.field("statement", "a demand carries a supporting statement")
    count = (await session.execute(select(func.count()).select_from(Claim)
                                   .where(Claim.guarantee_id == guarantee.id))).scalar_one()
    claim = Claim(number=f"{guarantee.number}-C{count + 1}", guarantee_id=guarantee.id, status="examining",
                  amount=amount, statement=statement, source=source, filed_by=actor, filed_at=now,
                  examine_by=calendar.deadline(now, EXAMINATION_WORKING_DAYS), discrepancies=[])
    session.add(claim)
    await session.flush()
    await ledger.append(session, kind="claimed", number=guarantee.number, now=now, claim=claim.number,
                        statement_hash=hashlib.sha256(statement.encode()).hexdigest())
    await step(session, guarantee, action="claimed", to="claimed", actor=actor, now=now, claim=claim.number,
               amount=str(amount), source=source)
    await publish(session, "guarantee.guarantee.claimed", guarantee, now)
    return claim


def _require_examining(claim: Claim) -> None:
    if claim.status != "examining":
        raise Conflict(f"Claim {claim.number} is {claim.status} already.", code="invalid_transition")


async def pay(session: AsyncSession, claim: Claim, guarantee: Guarantee, *, payment_reference: str, actor: str,
              now: datetime) -> Claim:
    """Pay a complying demand: the claim is paid and the guarantee ends ``paid``."""
    _require_examining(claim)
    claim.status, claim.decided_by, claim.decided_at = "paid", actor, now
    claim.payment_reference = payment_reference
    await ledger.append(session, kind="paid", number=guarantee.number, now=now, claim=claim.number,
                        amount=str(claim.amount))
    guarantee.closed_at = now
    await step(session, guarantee, action="paid", to="paid", actor=actor, now=now, claim=claim.number,
               late=now > claim.examine_by)
    await publish(session, "guarantee.guarantee.paid", guarantee, now, GuaranteePaid(
        **status_payload(guarantee, now), claim_number=claim.number, paid_amount=claim.amount))
    return claim


async def reject(session: AsyncSession, claim: Claim, guarantee: Guarantee, *, discrepancies: list[str], actor: str,
                 now: datetime) -> Claim:
    """Reject a demand with every discrepancy in one notice; the guarantee returns to ``issued``."""
    _require_examining(claim)
    listed = [d.strip() for d in discrepancies if d.strip()]
    if not listed:
        raise Unprocessable.field("discrepancies", "a rejection lists every discrepancy (at least one)")
    claim.status, claim.decided_by, claim.decided_at, claim.discrepancies = "rejected", actor, now, listed
    await ledger.append(session, kind="claim_rejected", number=guarantee.number, now=now, claim=claim.number)
    await step(session, guarantee, action="claim_rejected", to="issued", actor=actor, now=now, claim=claim.number,
               discrepancies=listed, late=now > claim.examine_by)
    return claim


async def open_for_default(session: AsyncSession, *, project_code: str, section_code: str, credit_code: str,
                           reason: str, detail: str, calendar: WorkCalendar,
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
                      source="bidding.bidder.defaulted", actor="bidding (event)", calendar=calendar, now=now)
