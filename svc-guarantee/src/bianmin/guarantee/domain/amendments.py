"""Amendments of an issued guarantee (URDG 758 art. 11): numbered, re-signed, logged, published.

- **Increase**: the new amount is re-underwritten against the issuer's rules as data — the single
  limit, the outstanding limit (the issuer's other guarantees in force plus the new amount) and
  the applicant's credit color — and a performance bond stays within 10 % of the award (§58).
  A refusal is a 422 on ``new_amount`` listing every failed rule; nothing changes. The fee is
  charged on the increase alone, at the tariff in force on the amendment date, with the
  guarantee's color discount and no second minimum fee.
- **Extension**: a later expiry within three years, free of charge. It is allowed while the
  guarantee is ``issued``, and also while it is ``claimed`` under an extend-or-pay demand still
  under examination or suspended: an extension to at least the requested date makes that demand
  deemed withdrawn (art. 23(c)) and the guarantee returns to ``issued``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.guarantee import GuaranteeAmended
from bianmin.guarantee.domain import claims, ledger
from bianmin.guarantee.domain import issuers as issuer_rules
from bianmin.guarantee.domain.errors import GuaranteeTransitionForbidden, IncreaseRefused, NoTariffInForce
from bianmin.guarantee.domain.guarantees import (
    MAX_VALIDITY,
    performance_cap,
    require_state,
    sign,
    underwriting_findings,
)
from bianmin.guarantee.domain.keys import KeyRing
from bianmin.guarantee.domain.records import publish, status_payload, step
from bianmin.guarantee.models import Amendment, Guarantee, ProjectSection
from bianmin.kit.errors import Unprocessable
from bianmin.kit.workdays import local_date


async def amendments_of(session: AsyncSession, guarantee: Guarantee) -> list[Amendment]:
    """Every amendment of a guarantee, by number."""
    return list((await session.execute(select(Amendment).where(Amendment.guarantee_id == guarantee.id)
                                       .order_by(Amendment.number))).scalars())


async def _check_increase(session: AsyncSession, guarantee: Guarantee, new_amount: Decimal | None) -> Decimal:
    """The new amount once every rule passed; 422 on ``new_amount`` naming each failed rule."""
    if new_amount is None or new_amount <= guarantee.amount:
        raise Unprocessable.field("new_amount", "an increase needs an amount above the current one")
    reasons: list[str] = []
    if guarantee.type == "performance":
        section = await session.get(ProjectSection, (guarantee.project_code, guarantee.section_code))
        cap = None if section is None else performance_cap(section)
        if cap is None or new_amount > cap:
            reasons.append(f"a performance bond is at most 10% of the award amount ({cap})")
    findings = await underwriting_findings(session, guarantee, amount=new_amount)
    reasons += [f"underwriting rule {f['rule']} refuses: {f['detail']}" for f in findings if not f["ok"]]
    if reasons:
        raise IncreaseRefused(reasons)
    return new_amount


async def amend(session: AsyncSession, guarantee: Guarantee, *, kind: str, new_amount: Decimal | None,
                new_expires_on: date | None, reason: str, actor: str, keyring: KeyRing, now: datetime) -> Amendment:
    """Amend a guarantee (increase or extension) as its next numbered amendment, re-signed and logged."""
    if kind == "extension" and guarantee.status == "claimed":
        pending = await claims.open_claim(session, guarantee)
        if pending is None or pending.kind != "extend_or_pay" or pending.status not in ("examining", "suspended"):
            raise GuaranteeTransitionForbidden(
                f"Guarantee {guarantee.number} is under a demand for payment; it cannot be extended.")
    else:
        require_state(guarantee, "issued", doing="amend")
    previous_amount, previous_expiry = guarantee.amount, guarantee.expires_on
    extra = 0
    findings: list[dict[str, object]] = []
    if kind == "increase":
        amount = await _check_increase(session, guarantee, new_amount)
        tariff = await issuer_rules.tariff_on(session, guarantee.issuer_code, guarantee.type, local_date(now))
        if tariff is None:
            raise NoTariffInForce("The issuer has no tariff in force today.")
        extra = issuer_rules.fee_fen(amount - guarantee.amount, tariff.rate, 0, guarantee.discount)
        findings = await underwriting_findings(session, guarantee, amount=amount)
        guarantee.amount = amount
    else:
        if new_expires_on is None or new_expires_on <= guarantee.expires_on:
            raise Unprocessable.field("new_expires_on", "an extension needs a later expiry date")
        if new_expires_on - local_date(now) > MAX_VALIDITY:
            raise Unprocessable.field("new_expires_on", "must be within three years")
        guarantee.expires_on = new_expires_on
    guarantee.amendment_count += 1
    guarantee.fee_fen += extra
    await sign(session, guarantee, keyring=keyring, now=now)
    leaf = await ledger.append(session, keyring, kind="amended", number=guarantee.number, now=now,
                               document_hash=guarantee.document_hash, amendment=guarantee.amendment_count)
    guarantee.leaf_index = leaf.seq
    amendment = Amendment(guarantee_id=guarantee.id, number=guarantee.amendment_count, kind=kind,
                          previous_amount=previous_amount, new_amount=guarantee.amount,
                          previous_expires_on=previous_expiry, new_expires_on=guarantee.expires_on,
                          extra_fee_fen=extra, reason=reason, document_hash=guarantee.document_hash or "",
                          leaf_index=leaf.seq, by=actor, at=now)
    session.add(amendment)
    await step(session, guarantee, action="amended", to=guarantee.status, actor=actor, now=now,
               amendment=guarantee.amendment_count, kind=kind, extra_fee_fen=extra, findings=findings)
    await publish(session, "guarantee.guarantee.amended", guarantee, now, GuaranteeAmended(
        **status_payload(guarantee, now), amendment_number=guarantee.amendment_count, kind=kind,
        previous_amount=previous_amount, previous_expires_on=previous_expiry))
    if kind == "extension" and guarantee.status == "claimed":
        await claims.withdraw_if_extended(session, guarantee, actor=actor, keyring=keyring, now=now)
    return amendment
