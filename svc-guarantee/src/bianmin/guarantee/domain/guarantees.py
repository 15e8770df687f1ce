"""The life of a guarantee after URDG 758: apply, underwrite, issue, amend, release, expire.

States: ``applied`` → ``underwriting`` (the issuer's rules passed) → ``issued`` → ``released`` |
``claimed`` → ``paid`` (or back to ``issued`` when the demand is rejected) | ``expired``; an
application may also end ``declined`` (a rule refused it) or ``withdrawn`` (by the applicant).
A guarantee's number is given at application: ``BH-<issuer>-<year>-<six digits>``.

Bid bonds: the project and section must be known from ``bidding.project.published``, the amount
must equal the section's bid bond, and the application must come before the bid deadline; expiry
must not be before the opening. Performance bonds: the section must be awarded to the applicant,
and the amount is at most 10 % of the award (§58). Amendments: an increase charges the fee on the
increase alone (tariff of the amendment date, no second minimum fee); an extension is free.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.guarantee import GuaranteeAmended
from bianmin.guarantee.domain import issuers as issuer_rules
from bianmin.guarantee.domain import ledger
from bianmin.guarantee.domain.keys import issuer_key, private_key
from bianmin.guarantee.domain.records import publish, queue_delivery, status_payload, step
from bianmin.guarantee.models import Amendment, ColorRule, Guarantee, Project, ProjectSection
from bianmin.guarantee.verifier.notes import canonical_bytes, document_hash
from bianmin.kit.errors import Conflict, NotFound, Unprocessable
from bianmin.kit.workdays import local_date

ACTIVE = ("applied", "underwriting", "issued", "claimed")
OUTSTANDING = ("issued", "claimed")
PERFORMANCE_CAP = Decimal("0.10")
MAX_VALIDITY = timedelta(days=3 * 366)


async def get(session: AsyncSession, number: str, *, lock: bool = False) -> Guarantee:
    """A guarantee by number; 404 when unknown."""
    statement = select(Guarantee).where(Guarantee.number == number)
    if lock:
        statement = statement.with_for_update()
    found = (await session.execute(statement)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"No guarantee {number}.", code="guarantee_not_found")
    return found


def _require(guarantee: Guarantee, *states: str, doing: str) -> None:
    if guarantee.status not in states:
        raise Conflict(f"Guarantee {guarantee.number} is {guarantee.status}; cannot {doing}.",
                       code="invalid_transition")


async def _section(session: AsyncSession, project_code: str, section_code: str) -> tuple[Project, ProjectSection]:
    project = await session.get(Project, project_code)
    if project is None:
        raise Unprocessable.field("project_code", "no published tender has this code", code="unknown_project")
    section = await session.get(ProjectSection, (project_code, section_code))
    if section is None:
        raise Unprocessable.field("section_code", "the tender has no such section", code="unknown_section")
    return project, section


async def _next_number(session: AsyncSession, issuer_code: str, year: int) -> str:
    prefix = f"BH-{issuer_code}-{year}-"
    count = (await session.execute(select(func.count()).select_from(Guarantee)
                                   .where(Guarantee.number.like(prefix + "%")))).scalar_one()
    return f"{prefix}{count + 1:06d}"


async def apply(session: AsyncSession, *, type: str, issuer_code: str, project_code: str, section_code: str,
                applicant_credit_code: str, applicant_name: str, amount: Decimal, expires_on: date,
                actor: str, now: datetime) -> Guarantee:
    """Apply for a guarantee: check it against the tender, price it, and number it."""
    issuer = await issuer_rules.get_issuer(session, issuer_code, lock=True)
    if not issuer.active:
        raise Unprocessable.field("issuer_code", "the issuer does not take applications", code="issuer_inactive")
    project, section = await _section(session, project_code, section_code)
    today = local_date(now)
    if type == "bid_bond":
        if now >= project.bid_deadline:
            raise Conflict(f"The bid deadline of {project_code} has passed.", code="bid_deadline_passed")
        if amount != section.bid_bond_amount:
            raise Unprocessable.field("amount", f"must equal the section's bid bond {section.bid_bond_amount}",
                                      code="wrong_amount")
        if expires_on < local_date(project.opening_at):
            raise Unprocessable.field("expires_on", "must not be before the bid opening")
    else:
        if section.winner_credit_code is None or section.award_amount is None:
            raise Conflict(f"Section {section_code} of {project_code} is not awarded yet.", code="not_awarded")
        if section.winner_credit_code != applicant_credit_code:
            raise Unprocessable.field("applicant_credit_code", "only the winner gives a performance bond",
                                      code="not_the_winner")
        if amount > (section.award_amount * PERFORMANCE_CAP).quantize(Decimal("0.01")):
            raise Unprocessable.field("amount", "a performance bond is at most 10% of the award amount",
                                      code="wrong_amount")
    if expires_on <= today or expires_on - today > MAX_VALIDITY:
        raise Unprocessable.field("expires_on", "must be after today and within three years")
    duplicate = (await session.execute(select(Guarantee.number).where(
        Guarantee.project_code == project_code, Guarantee.section_code == section_code, Guarantee.type == type,
        Guarantee.applicant_credit_code == applicant_credit_code, Guarantee.status.in_(ACTIVE)))).first()
    if duplicate is not None:
        raise Conflict(f"{applicant_credit_code} already has guarantee {duplicate[0]} for this section.",
                       code="duplicate_guarantee")
    color = await issuer_rules.color_of(session, applicant_credit_code)
    quote = await issuer_rules.quote(session, issuer, type=type, amount=amount, day=today, color=color)
    if quote is None:
        raise Unprocessable.field("issuer_code", f"the issuer has no {type} tariff in force on {today}",
                                  code="no_tariff")
    guarantee = Guarantee(
        number=await _next_number(session, issuer_code, today.year), type=type, status="applied",
        issuer_code=issuer_code, applicant_credit_code=applicant_credit_code, applicant_name=applicant_name,
        applicant_color=color, beneficiary_name=project.tenderer_name,
        beneficiary_credit_code=project.tenderer_credit_code, project_code=project_code, project_name=project.name,
        section_code=section_code, site_code=project.site_code, amount=amount, currency="CNY", applied_on=today,
        valid_from=today, expires_on=expires_on, tariff_id=quote.tariff.id, rate=quote.tariff.rate,
        discount=quote.discount, fee_fen=quote.fee_fen, underwriting=[], amendment_count=0,
        created_at=now, updated_at=now)
    session.add(guarantee)
    await session.flush()
    await step(session, guarantee, action="applied", to="applied", actor=actor, now=now,
               fee_fen=quote.fee_fen, tariff_id=quote.tariff.id, color=color)
    return guarantee


async def underwrite(session: AsyncSession, guarantee: Guarantee, *, actor: str, now: datetime) -> Guarantee:
    """Run the issuer's rules (limits, credit color): pass to ``underwriting`` or end ``declined``."""
    _require(guarantee, "applied", doing="underwrite")
    issuer = await issuer_rules.get_issuer(session, guarantee.issuer_code, lock=True)
    color = await issuer_rules.color_of(session, guarantee.applicant_credit_code)
    rule = None if color is None else await session.get(ColorRule, (issuer.code, color))
    outstanding = (await session.execute(select(func.coalesce(func.sum(Guarantee.amount), 0)).where(
        Guarantee.issuer_code == issuer.code, Guarantee.status.in_(OUTSTANDING)))).scalar_one()
    outstanding = Decimal(str(outstanding))
    findings: list[dict[str, Any]] = [
        {"rule": "single_limit", "ok": guarantee.amount <= issuer.max_single_amount,
         "detail": f"amount {guarantee.amount} against the single limit {issuer.max_single_amount}"},
        {"rule": "outstanding_limit", "ok": outstanding + guarantee.amount <= issuer.max_outstanding_amount,
         "detail": f"outstanding {outstanding} + {guarantee.amount} against {issuer.max_outstanding_amount}"},
        {"rule": "credit_color", "ok": not (rule and rule.refuse),
         "detail": f"credit color {color or 'unknown'}" + (" is refused by this issuer" if rule and rule.refuse else "")},
    ]
    guarantee.underwriting = findings
    guarantee.applicant_color = color
    passed = all(f["ok"] for f in findings)
    await step(session, guarantee, action="underwritten" if passed else "declined",
               to="underwriting" if passed else "declined", actor=actor, now=now, findings=findings)
    if not passed:
        guarantee.closed_at = now
    return guarantee


async def _sign(session: AsyncSession, guarantee: Guarantee, *, password: bytes, now: datetime) -> dict[str, Any]:
    issuer = await issuer_rules.get_issuer(session, guarantee.issuer_code)
    key = await issuer_key(session, issuer.code, password=password, now=now)
    document = {
        "number": guarantee.number, "type": guarantee.type, "rules": "ICC URDG 758",
        "issuer": {"code": issuer.code, "name": issuer.name, "credit_code": issuer.credit_code, "kind": issuer.kind},
        "applicant": {"name": guarantee.applicant_name, "credit_code": guarantee.applicant_credit_code},
        "beneficiary": {"name": guarantee.beneficiary_name, "credit_code": guarantee.beneficiary_credit_code},
        "tender": {"project_code": guarantee.project_code, "project_name": guarantee.project_name,
                   "section_code": guarantee.section_code},
        "amount": str(guarantee.amount), "currency": guarantee.currency,
        "issue_date": local_date(guarantee.issued_at or now).isoformat(),
        "valid_from": guarantee.valid_from.isoformat(), "expires_on": guarantee.expires_on.isoformat(),
        "fee": str(issuer_rules.fen_to_yuan(guarantee.fee_fen)), "amendment": guarantee.amendment_count,
        "signed_at": now.isoformat(), "key_name": key.name,
    }
    signature = private_key(key, password).sign(canonical_bytes(document))
    guarantee.document = canonical_bytes(document).decode("utf-8")
    guarantee.document_hash = document_hash(document)
    guarantee.signature = base64.b64encode(signature).decode()
    guarantee.key_name = key.name
    return document


async def issue(session: AsyncSession, guarantee: Guarantee, *, actor: str, password: bytes,
                now: datetime) -> Guarantee:
    """Issue: sign the canonical document, append it to the ledger, publish and push it."""
    _require(guarantee, "underwriting", doing="issue")
    guarantee.issued_at = now
    await _sign(session, guarantee, password=password, now=now)
    leaf = await ledger.append(session, kind="issued", number=guarantee.number, now=now,
                               document_hash=guarantee.document_hash, amendment=0)
    guarantee.leaf_index = leaf.seq
    await step(session, guarantee, action="issued", to="issued", actor=actor, now=now,
               document_hash=guarantee.document_hash, leaf_index=leaf.seq)
    await publish(session, "guarantee.guarantee.issued", guarantee, now)
    await queue_delivery(session, guarantee, "issued", now)
    return guarantee


async def amend(session: AsyncSession, guarantee: Guarantee, *, kind: str, new_amount: Decimal | None,
                new_expires_on: date | None, reason: str, actor: str, password: bytes, now: datetime) -> Amendment:
    """Amend an issued guarantee (increase or extension) as its next numbered amendment, re-signed."""
    _require(guarantee, "issued", doing="amend")
    previous_amount, previous_expiry = guarantee.amount, guarantee.expires_on
    extra = 0
    if kind == "increase":
        if new_amount is None or new_amount <= guarantee.amount:
            raise Unprocessable.field("new_amount", "an increase needs an amount above the current one")
        tariff = await issuer_rules.tariff_on(session, guarantee.issuer_code, guarantee.type, local_date(now))
        if tariff is None:
            raise Conflict("The issuer has no tariff in force today.", code="no_tariff")
        extra = issuer_rules.fee_fen(new_amount - guarantee.amount, tariff.rate, 0, guarantee.discount)
        guarantee.amount = new_amount
    else:
        if new_expires_on is None or new_expires_on <= guarantee.expires_on:
            raise Unprocessable.field("new_expires_on", "an extension needs a later expiry date")
        if new_expires_on - local_date(now) > MAX_VALIDITY:
            raise Unprocessable.field("new_expires_on", "must be within three years")
        guarantee.expires_on = new_expires_on
    guarantee.amendment_count += 1
    guarantee.fee_fen += extra
    await _sign(session, guarantee, password=password, now=now)
    leaf = await ledger.append(session, kind="amended", number=guarantee.number, now=now,
                               document_hash=guarantee.document_hash, amendment=guarantee.amendment_count)
    guarantee.leaf_index = leaf.seq
    amendment = Amendment(guarantee_id=guarantee.id, number=guarantee.amendment_count, kind=kind,
                          previous_amount=previous_amount, new_amount=guarantee.amount,
                          previous_expires_on=previous_expiry, new_expires_on=guarantee.expires_on,
                          extra_fee_fen=extra, reason=reason, document_hash=guarantee.document_hash or "",
                          leaf_index=leaf.seq, by=actor, at=now)
    session.add(amendment)
    await step(session, guarantee, action="amended", to="issued", actor=actor, now=now,
               amendment=guarantee.amendment_count, kind=kind, extra_fee_fen=extra)
    await publish(session, "guarantee.guarantee.amended", guarantee, now, GuaranteeAmended(
        **status_payload(guarantee, now), amendment_number=guarantee.amendment_count, kind=kind,
        previous_amount=previous_amount, previous_expires_on=previous_expiry))
    return amendment


async def release(session: AsyncSession, guarantee: Guarantee, *, reason: str, actor: str,
                  now: datetime) -> Guarantee:
    """Release an issued guarantee (loser after award, winner after contract signing, or on request)."""
    _require(guarantee, "issued", doing="release")
    await ledger.append(session, kind="released", number=guarantee.number, now=now,
                        document_hash=guarantee.document_hash)
    guarantee.closed_at = now
    await step(session, guarantee, action="released", to="released", actor=actor, now=now, reason=reason)
    await publish(session, "guarantee.guarantee.released", guarantee, now)
    await queue_delivery(session, guarantee, "released", now)
    return guarantee


async def withdraw(session: AsyncSession, guarantee: Guarantee, *, actor: str, now: datetime) -> Guarantee:
    """The applicant withdraws an application that is not issued yet."""
    _require(guarantee, "applied", "underwriting", doing="withdraw")
    guarantee.closed_at = now
    await step(session, guarantee, action="withdrawn", to="withdrawn", actor=actor, now=now)
    return guarantee


async def expire_due(session: AsyncSession, *, now: datetime, limit: int = 200) -> list[str]:
    """Expire issued guarantees whose expiry date has passed; the numbers expired."""
    today = local_date(now)
    due = (await session.execute(select(Guarantee).where(Guarantee.status == "issued", Guarantee.expires_on < today)
                                 .order_by(Guarantee.id).limit(limit))).scalars().all()
    for guarantee in due:
        await ledger.append(session, kind="expired", number=guarantee.number, now=now,
                            document_hash=guarantee.document_hash)
        guarantee.closed_at = now
        await step(session, guarantee, action="expired", to="expired", actor="system", now=now)
        await publish(session, "guarantee.guarantee.expired", guarantee, now)
    return [g.number for g in due]


def signed_document(guarantee: Guarantee) -> dict[str, Any] | None:
    """The signed document as the verifier reads it: ``{document, signature, key_name}``."""
    if guarantee.document is None:
        return None
    return {"document": json.loads(guarantee.document), "signature": guarantee.signature,
            "key_name": guarantee.key_name}
