"""Read models kept from other services' events: tenders from bidding, colors from credit.

A republished tender replaces its terms (sections not in the new version are kept only when a
guarantee already refers to them). An award records each section's winner and releases the bid
bonds of everyone else in that section; the winner's stays until the contract is signed
(``bidding.contract.signed``, :func:`apply_contract_signed`) or its performance bond is issued
(:func:`bianmin.guarantee.domain.guarantees.release_replaced_bid_bond`), whichever comes first. A
closed tender takes no more bid bonds; a failed or cancelled one releases the bid bonds of its
failed sections, or all of them (:func:`apply_status`). A bond a demand held when its tender ended
is released once the demand is rejected or withdrawn (:func:`release_if_ended`), and a bid bond
still being underwritten is not issued once its tender ended for it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.bidding import (
    ContractSigned,
    ProjectAwarded,
    ProjectPublished,
    ProjectStatusChanged,
    SectionFailed,
)
from bianmin.contracts.events.credit import ColorChanged
from bianmin.guarantee.domain import guarantees
from bianmin.guarantee.domain.errors import ProjectNotFound
from bianmin.guarantee.domain.keys import KeyRing
from bianmin.guarantee.models import EnterpriseColor, Guarantee, Project, ProjectSection


async def get_project(session: AsyncSession, code: str) -> tuple[Project, list[ProjectSection]]:
    """A published tender and its sections by code; 404 while bidding has not published it."""
    project = await session.get(Project, code)
    if project is None:
        raise ProjectNotFound(f"No published tender {code} (yet).")
    sections = (await session.execute(select(ProjectSection).where(ProjectSection.project_code == code)
                                      .order_by(ProjectSection.code))).scalars()
    return project, list(sections)


async def apply_published(session: AsyncSession, payload: ProjectPublished, *, now: datetime) -> Project:
    """Create or update a tender and its sections."""
    project = await session.get(Project, payload.code)
    if project is None:
        project = Project(code=payload.code, published_at=now, closed_at=None, failed_at=None, awarded_at=None)
        session.add(project)
    project.name, project.site_code = payload.name, payload.site_code
    project.tenderer_name, project.tenderer_credit_code = payload.tenderer_name, payload.tenderer_credit_code
    project.budget, project.bid_deadline, project.opening_at = payload.budget, payload.bid_deadline, payload.opening_at
    project.bid_validity_days = payload.bid_validity_days
    await session.flush()
    for terms in payload.sections:
        section = await session.get(ProjectSection, (payload.code, terms.code))
        if section is None:
            session.add(ProjectSection(project_code=payload.code, code=terms.code, name=terms.name,
                                       bid_bond_amount=terms.bid_bond_amount, winner_credit_code=None,
                                       award_amount=None, failed_at=None))
        else:
            section.name, section.bid_bond_amount = terms.name, terms.bid_bond_amount
    await session.flush()
    return project


async def apply_awarded(session: AsyncSession, payload: ProjectAwarded, *, keyring: KeyRing,
                        now: datetime) -> list[str]:
    """Record the winners and release the losers' bid bonds; the numbers released."""
    project = await session.get(Project, payload.code)
    if project is not None:
        project.awarded_at = payload.awarded_at
    released: list[str] = []
    for award in payload.sections:
        section = await session.get(ProjectSection, (payload.code, award.code))
        if section is not None:
            section.winner_credit_code, section.award_amount = award.winner_credit_code, award.award_amount
        losers = (await session.execute(select(Guarantee).where(
            Guarantee.project_code == payload.code, Guarantee.section_code == award.code,
            Guarantee.type == "bid_bond", Guarantee.status == "issued",
            Guarantee.applicant_credit_code != award.winner_credit_code).order_by(Guarantee.id))).scalars().all()
        for guarantee in losers:
            await guarantees.release(session, guarantee, reason="not awarded (bidding.project.awarded)",
                                     actor="bidding (event)", keyring=keyring, now=now)
            released.append(guarantee.number)
    return released


async def apply_status(session: AsyncSession, payload: ProjectStatusChanged, *, keyring: KeyRing,
                       now: datetime) -> list[str]:
    """Record a closed, opened, failed or cancelled tender; release the bid bonds of the sections it ends.

    ``closed``: bidding stopped at the deadline, so no bid bond is applied for after it even if the
    clocks of the two services disagree. ``failed`` (fewer than three bidders, §44): the bid bonds of
    the failed sections (all sections when none are named) secure nothing any more and are released.
    ``cancelled`` (before the opening) ends every section the same way. ``opened``: the tender goes
    on, but the sections that failed at the opening (``failed_section_codes``; none when empty) end
    there, so their bid bonds are released as for a failed tender (实施条例 §57: a bond is returned when
    the tender no longer needs it). A bond under a demand (a bidder deemed to have withdrawn by not
    decrypting, ``bidding.bidder.defaulted``) stays until the demand is decided. Returns the numbers released.
    """
    project = await session.get(Project, payload.code)
    if project is None:
        return []
    if payload.status == "closed":
        project.closed_at = project.closed_at or payload.occurred_at
        return []
    if payload.status not in ("failed", "cancelled", "opened"):
        return []
    sections = list((await session.execute(select(ProjectSection).where(
        ProjectSection.project_code == payload.code))).scalars())
    if payload.status == "opened":
        failed = set(payload.failed_section_codes)
        ended = "section failed at the opening"
    else:
        project.failed_at = project.failed_at or payload.occurred_at
        failed = {s.code for s in sections} if not payload.failed_section_codes else set(payload.failed_section_codes)
        ended = "tender cancelled" if payload.status == "cancelled" else "tender failed"
    reason = f"{ended}: {payload.reason}" if payload.reason else ended
    return await _end_sections(session, payload.code, [s for s in sections if s.code in failed], at=payload.occurred_at,
                               reason=f"{reason} (bidding.project.{payload.status})", keyring=keyring, now=now)


async def apply_section_failed(session: AsyncSession, payload: SectionFailed, *, keyring: KeyRing,
                               now: datetime) -> list[str]:
    """A section failed during the evaluation of a tender that carries on (§42, or the tender's own floor of
    valid bids): its bid bonds are released as for a failed tender (实施条例 §57). Returns the numbers released."""
    section = await session.get(ProjectSection, (payload.project_code, payload.section_code))
    if section is None:
        return []
    return await _end_sections(session, payload.project_code, [section], at=payload.failed_at,
                               reason=f"section failed: {payload.reason} (bidding.section.failed)",
                               keyring=keyring, now=now)


async def _end_sections(session: AsyncSession, project_code: str, ended: list[ProjectSection], *, at: datetime,
                        reason: str, keyring: KeyRing, now: datetime) -> list[str]:
    """Mark sections failed and release their bid bonds in force; a bond a demand holds stays until it is decided."""
    if not ended:
        return []
    for section in ended:
        section.failed_at = section.failed_at or at
    bonds = (await session.execute(select(Guarantee).where(
        Guarantee.project_code == project_code, Guarantee.section_code.in_(sorted(s.code for s in ended)),
        Guarantee.type == "bid_bond", Guarantee.status == "issued").order_by(Guarantee.id))).scalars().all()
    for guarantee in bonds:
        await guarantees.release(session, guarantee, reason=reason, actor="bidding (event)", keyring=keyring, now=now)
    await session.flush()
    return [g.number for g in bonds]


async def apply_contract_signed(session: AsyncSession, payload: ContractSigned, *, keyring: KeyRing,
                                now: datetime) -> list[str]:
    """Record the signed contract and release the winner's bid bond (实施条例 §57: within five days of signing).

    A bond a demand holds stays until the demand is decided (:func:`release_if_ended`). Returns the
    numbers released.
    """
    section = await session.get(ProjectSection, (payload.project_code, payload.section_code))
    if section is None:
        return []
    section.contract_signed_at = section.contract_signed_at or payload.signed_at
    bonds = (await session.execute(select(Guarantee).where(
        Guarantee.project_code == payload.project_code, Guarantee.section_code == payload.section_code,
        Guarantee.applicant_credit_code == payload.winner_credit_code, Guarantee.type == "bid_bond",
        Guarantee.status == "issued").order_by(Guarantee.id))).scalars().all()
    for guarantee in bonds:
        await guarantees.release(session, guarantee, reason="contract signed (bidding.contract.signed)",
                                 actor="bidding (event)", keyring=keyring, now=now)
    return [g.number for g in bonds]


async def release_if_ended(session: AsyncSession, guarantee: Guarantee, *, keyring: KeyRing,
                           now: datetime) -> Guarantee | None:
    """Release a bid bond back in force whose tender ended for it while a demand held it.

    The award and a failure release only bonds then ``issued``; a bond under a demand (``claimed``)
    waits for the demand's decision (URDG 758 art. 20). When the demand is rejected or withdrawn
    the bond is in force again, and if its section failed, went to another bidder, or the winner's
    performance bond now stands in its place, it is released at once (实施条例 §57).
    """
    if guarantee.type != "bid_bond" or guarantee.status != "issued":
        return None
    section = await session.get(ProjectSection, (guarantee.project_code, guarantee.section_code))
    if section is None:
        return None
    reason = guarantees.ended_for(section, guarantee.applicant_credit_code)
    if reason is None and section.winner_credit_code == guarantee.applicant_credit_code:
        performance = (await session.execute(select(Guarantee.number).where(
            Guarantee.project_code == guarantee.project_code, Guarantee.section_code == guarantee.section_code,
            Guarantee.applicant_credit_code == guarantee.applicant_credit_code, Guarantee.type == "performance",
            Guarantee.issued_at.is_not(None)).limit(1))).scalar_one_or_none()
        reason = None if performance is None else f"replaced by performance bond {performance}"
    if reason is None:
        return None
    return await guarantees.release(session, guarantee, reason=f"{reason} (after the demand was decided)",
                                    actor="system (tender ended)", keyring=keyring, now=now)


async def apply_color(session: AsyncSession, payload: ColorChanged) -> None:
    """Keep an enterprise's latest color (an older change arriving late is ignored)."""
    row = await session.get(EnterpriseColor, payload.credit_code)
    if row is None:
        session.add(EnterpriseColor(credit_code=payload.credit_code, color=payload.new_color,
                                    changed_at=payload.changed_at))
    elif payload.changed_at >= row.changed_at:
        row.color, row.changed_at = payload.new_color, payload.changed_at
    await session.flush()
