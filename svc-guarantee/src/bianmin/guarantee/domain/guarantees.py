"""The life of a guarantee after URDG 758: apply, underwrite, issue, amend, release, expire.

States: ``applied`` → ``underwriting`` (the issuer's rules passed) → ``issued`` → ``released`` |
``claimed`` → ``paid`` (or back to ``issued`` when the demand is rejected) | ``expired``; an
application may also end ``declined`` (a rule refused it) or ``withdrawn`` (by the applicant).
A guarantee's number is given at application: ``BH-<issuer>-<year>-<six digits>``.

Bid bonds: the project and section must be known from ``bidding.project.published``, the amount
must equal the section's bid bond, and the application must come before the bid deadline; expiry
must not be before the opening. Performance bonds: the section must be awarded to the applicant,
and the amount is at most 10 % of the award (§58); issuing one releases the winner's bid bond for
the same section. Amendments live in :mod:`bianmin.guarantee.domain.amendments`.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.guarantee.domain import access, ledger, validity
from bianmin.guarantee.domain import issuers as issuer_rules
from bianmin.guarantee.domain.errors import (
    BidDeadlinePassed,
    DuplicateGuarantee,
    GuaranteeNotFound,
    GuaranteeTransitionForbidden,
    NotAwarded,
    TenderEnded,
    TenderFailed,
)
from bianmin.guarantee.domain.keys import KeyRing, issuer_key, private_key
from bianmin.guarantee.domain.records import publish, queue_delivery, step
from bianmin.guarantee.models import ColorRule, Guarantee, GuaranteeStep, Project, ProjectSection
from bianmin.guarantee.verifier.notes import canonical_bytes, document_hash
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identity import Principal
from bianmin.kit.pagination import PageParams, paginate
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
        raise GuaranteeNotFound(f"No guarantee {number}.")
    return found


async def steps_of(session: AsyncSession, guarantee: Guarantee) -> list[GuaranteeStep]:
    """Every recorded step of a guarantee, in order."""
    return list((await session.execute(select(GuaranteeStep).where(GuaranteeStep.guarantee_id == guarantee.id)
                                       .order_by(GuaranteeStep.id))).scalars())


async def listed(session: AsyncSession, page: PageParams, *, principal: Principal, status: str | None = None,
                 project_code: str | None = None) -> tuple[list[Guarantee], str | None]:
    """One page of the guarantees ``principal`` may see (:func:`access.visibility`), oldest first."""
    statement = select(Guarantee)
    visible = access.visibility(principal)
    if visible is not None:
        statement = statement.where(visible)
    if status:
        statement = statement.where(Guarantee.status == status)
    if project_code:
        statement = statement.where(Guarantee.project_code == project_code)
    return await paginate(session, statement, page, keys=[Guarantee.id])


def require_state(guarantee: Guarantee, *states: str, doing: str) -> None:
    """409 unless the guarantee is in one of ``states``."""
    if guarantee.status not in states:
        raise GuaranteeTransitionForbidden(f"Guarantee {guarantee.number} is {guarantee.status}; cannot {doing}.")


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
    if section.failed_at is not None:
        raise TenderFailed(f"Section {section_code} of {project_code} failed; it takes no guarantee.")
    if type == "bid_bond":
        if now >= project.bid_deadline or project.closed_at is not None:
            raise BidDeadlinePassed(f"The bid deadline of {project_code} has passed.")
        if amount != section.bid_bond_amount:
            raise Unprocessable.field("amount", f"must equal the section's bid bond {section.bid_bond_amount}",
                                      code="wrong_amount")
        if expires_on < local_date(project.opening_at):
            raise Unprocessable.field("expires_on", "must not be before the bid opening")
        validity.require_covers_validity(project, expires_on)
    else:
        if section.winner_credit_code is None or section.award_amount is None:
            raise NotAwarded(f"Section {section_code} of {project_code} is not awarded yet.")
        if section.winner_credit_code != applicant_credit_code:
            raise Unprocessable.field("applicant_credit_code", "only the winner gives a performance bond",
                                      code="not_the_winner")
        cap = performance_cap(section)
        if cap is None or amount > cap:
            raise Unprocessable.field("amount", "a performance bond is at most 10% of the award amount",
                                      code="wrong_amount")
    if expires_on <= today or expires_on - today > MAX_VALIDITY:
        raise Unprocessable.field("expires_on", "must be after today and within three years")
    duplicate = (await session.execute(select(Guarantee.number).where(
        Guarantee.project_code == project_code, Guarantee.section_code == section_code, Guarantee.type == type,
        Guarantee.applicant_credit_code == applicant_credit_code, Guarantee.status.in_(ACTIVE)))).first()
    if duplicate is not None:
        raise DuplicateGuarantee(f"{applicant_credit_code} already has guarantee {duplicate[0]} for this section.")
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


async def underwriting_findings(session: AsyncSession, guarantee: Guarantee, *, amount: Decimal) -> list[dict[str, Any]]:
    """The issuer's rules for ``guarantee`` at ``amount``: single limit, outstanding limit, credit color.

    The outstanding limit counts the issuer's other guarantees in force plus ``amount``, so an
    increase is judged on its new total, not on the increase alone.
    """
    issuer = await issuer_rules.get_issuer(session, guarantee.issuer_code, lock=True)
    color = await issuer_rules.color_of(session, guarantee.applicant_credit_code)
    rule = None if color is None else await session.get(ColorRule, (issuer.code, color))
    others = (await session.execute(select(func.coalesce(func.sum(Guarantee.amount), 0)).where(
        Guarantee.issuer_code == issuer.code, Guarantee.status.in_(OUTSTANDING),
        Guarantee.id != guarantee.id))).scalar_one()
    outstanding = Decimal(str(others))
    guarantee.applicant_color = color
    return [
        {"rule": "single_limit", "ok": amount <= issuer.max_single_amount,
         "detail": f"amount {amount} against the single limit {issuer.max_single_amount}"},
        {"rule": "outstanding_limit", "ok": outstanding + amount <= issuer.max_outstanding_amount,
         "detail": f"outstanding {outstanding} + {amount} against {issuer.max_outstanding_amount}"},
        {"rule": "credit_color", "ok": not (rule and rule.refuse),
         "detail": f"credit color {color or 'unknown'}" + (" is refused by this issuer" if rule and rule.refuse else "")},
    ]


async def underwrite(session: AsyncSession, guarantee: Guarantee, *, actor: str, now: datetime) -> Guarantee:
    """Run the issuer's rules (limits, credit color): pass to ``underwriting`` or end ``declined``."""
    require_state(guarantee, "applied", doing="underwrite")
    findings = await underwriting_findings(session, guarantee, amount=guarantee.amount)
    guarantee.underwriting = findings
    passed = all(f["ok"] for f in findings)
    await step(session, guarantee, action="underwritten" if passed else "declined",
               to="underwriting" if passed else "declined", actor=actor, now=now, findings=findings)
    if not passed:
        guarantee.closed_at = now
    return guarantee


def performance_cap(section: ProjectSection) -> Decimal | None:
    """The largest performance bond for an awarded section: 10 % of the award (§58); None before award."""
    if section.award_amount is None:
        return None
    return (section.award_amount * PERFORMANCE_CAP).quantize(Decimal("0.01"))


async def sign(session: AsyncSession, guarantee: Guarantee, *, keyring: KeyRing, now: datetime) -> dict[str, Any]:
    """Write and sign the guarantee's canonical document with its issuer's current key."""
    issuer = await issuer_rules.get_issuer(session, guarantee.issuer_code)
    key = await issuer_key(session, issuer.code, password=keyring.password, now=now)
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
    signature = private_key(key, keyring.password).sign(canonical_bytes(document))
    guarantee.document = canonical_bytes(document).decode("utf-8")
    guarantee.document_hash = document_hash(document)
    guarantee.signature = base64.b64encode(signature).decode()
    guarantee.key_name = key.name
    return document


async def issue(session: AsyncSession, guarantee: Guarantee, *, actor: str, keyring: KeyRing,
                now: datetime) -> Guarantee:
    """Issue: sign the canonical document, append it to the ledger, publish and push it.

    Issuing a performance bond also releases the same enterprise's bid bond for that tender and
    section (see :func:`release_replaced_bid_bond`). A bid bond is checked again against the bid
    validity period: the tender may have been republished with a longer one since the application.
    """
    require_state(guarantee, "underwriting", doing="issue")
    if guarantee.type == "bid_bond":
        project = await session.get(Project, guarantee.project_code)
        if project is not None:
            validity.require_covers_validity(project, guarantee.expires_on)
        section = await session.get(ProjectSection, (guarantee.project_code, guarantee.section_code))
        ended = None if section is None else ended_for(section, guarantee.applicant_credit_code)
        if ended is not None:
            raise TenderEnded(f"Guarantee {guarantee.number} is not issued: {ended}.")
    guarantee.issued_at = now
    await sign(session, guarantee, keyring=keyring, now=now)
    leaf = await ledger.append(session, keyring, kind="issued", number=guarantee.number, now=now,
                               document_hash=guarantee.document_hash, amendment=0)
    guarantee.leaf_index = leaf.seq
    await step(session, guarantee, action="issued", to="issued", actor=actor, now=now,
               document_hash=guarantee.document_hash, leaf_index=leaf.seq)
    await publish(session, "guarantee.guarantee.issued", guarantee, now)
    await queue_delivery(session, guarantee, "issued", now)
    if guarantee.type == "performance":
        await release_replaced_bid_bond(session, guarantee, keyring=keyring, now=now)
    return guarantee


def ended_for(section: ProjectSection, applicant_credit_code: str) -> str | None:
    """Why the tender has ended for a bidder's bid bond on this section, or None while it has not.

    实施条例 §57: bid bonds are returned when the tender ends for the bidder — the section failed
    or was cancelled (no award will follow), it was awarded to someone else (a loser's bond secures
    nothing after the award), or the winner signed its contract (``bidding.contract.signed``; the
    issue of its performance bond also ends it, :func:`release_replaced_bid_bond`).
    """
    if section.failed_at is not None:
        return "the section ended without an award (failed or cancelled)"
    if section.winner_credit_code is not None and section.winner_credit_code != applicant_credit_code:
        return "the section was awarded to another bidder"
    if section.contract_signed_at is not None:
        return "the contract was signed"
    return None


async def release_replaced_bid_bond(session: AsyncSession, performance: Guarantee, *, keyring: KeyRing,
                                    now: datetime) -> Guarantee | None:
    """Release the winner's bid bond once its performance bond for the same tender and section is issued.

    §57 returns the winner's bid bond within five days of contract signing, and the performance
    bond is given at signing. Bidding publishes no contract-signed event, so the issue of the
    performance bond stands for it: the tenderer now holds the performance bond in place of the
    bid bond. Only a bid bond still ``issued`` is released; one under a demand (``claimed``) stays
    until the demand is decided. Staff and the issuer can still release a bid bond by hand.
    """
    bid_bond = (await session.execute(select(Guarantee).where(
        Guarantee.project_code == performance.project_code, Guarantee.section_code == performance.section_code,
        Guarantee.applicant_credit_code == performance.applicant_credit_code, Guarantee.type == "bid_bond",
        Guarantee.status == "issued").with_for_update())).scalar_one_or_none()
    if bid_bond is None:
        return None
    return await release(session, bid_bond, reason=f"replaced by performance bond {performance.number}",
                         actor="system (performance bond issued)", keyring=keyring, now=now)


async def release(session: AsyncSession, guarantee: Guarantee, *, reason: str, actor: str, keyring: KeyRing,
                  now: datetime) -> Guarantee:
    """Release an issued guarantee (loser after award, winner after contract signing, or on request)."""
    require_state(guarantee, "issued", doing="release")
    await ledger.append(session, keyring, kind="released", number=guarantee.number, now=now,
                        document_hash=guarantee.document_hash)
    guarantee.closed_at = now
    await step(session, guarantee, action="released", to="released", actor=actor, now=now, reason=reason)
    await publish(session, "guarantee.guarantee.released", guarantee, now)
    await queue_delivery(session, guarantee, "released", now)
    return guarantee


async def withdraw(session: AsyncSession, guarantee: Guarantee, *, actor: str, now: datetime) -> Guarantee:
    """The applicant withdraws an application that is not issued yet."""
    require_state(guarantee, "applied", "underwriting", doing="withdraw")
    guarantee.closed_at = now
    await step(session, guarantee, action="withdrawn", to="withdrawn", actor=actor, now=now)
    return guarantee


async def expire_due(session: AsyncSession, keyring: KeyRing, *, now: datetime, limit: int = 200) -> list[str]:
    """Expire issued guarantees whose expiry date has passed; the numbers expired."""
    today = local_date(now)
    due = (await session.execute(select(Guarantee).where(Guarantee.status == "issued", Guarantee.expires_on < today)
                                 .order_by(Guarantee.id).limit(limit))).scalars().all()
    for guarantee in due:
        await ledger.append(session, keyring, kind="expired", number=guarantee.number, now=now,
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
