"""Collusion flags: the screens' findings stored per section, and the supervisor's decision.

Flags are raised when the opening finishes (``bidding.collusion.flagged``); a supervisor
(``bidding:supervise``) confirms one — ``bidding.collusion.confirmed`` then lets credit record a
bad behaviour for each enterprise — or dismisses it, both with a note. A decided flag stays decided.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.bidders import deposit_accounts
from bianmin.bidding.domain.bids import OPENED
from bianmin.bidding.domain.common import new_id, scoped
from bianmin.bidding.domain.errors import FlagDecided, FlagNotFound
from bianmin.bidding.domain.screens import BidFacts, Thresholds, screen_all
from bianmin.bidding.models import Bid, CollusionFlag, Project, Section
from bianmin.bidding.settings import BiddingSettings
from bianmin.contracts.events.bidding import CollusionConfirmed, CollusionFlagged
from bianmin.kit.events import emit
from bianmin.kit.identity import Principal

BP = Decimal(10000)


def thresholds(settings: BiddingSettings) -> Thresholds:
    """The screens' thresholds from the settings."""
    return Thresholds(cv_max=settings.screen_cv_max, rd_min=settings.screen_rd_min,
                      gap_cv_max=settings.screen_gap_cv_max, min_bids=settings.screen_min_bids,
                      min_gaps=settings.screen_min_gaps)


def score_of(flag: CollusionFlag) -> Decimal:
    """A flag's score in [0, 1]."""
    return (Decimal(flag.score_bp) / BP).quantize(Decimal("0.0001"))


async def screen_section(session: AsyncSession, project: Project, section: Section, bids: list[Bid], *,
                         now: datetime, settings: BiddingSettings) -> list[CollusionFlag]:
    """Run every screen on a section's counted bids and store and announce what they flag."""
    accounts = await deposit_accounts(session, project_code=project.code, section_code=section.code)
    facts = [BidFacts(credit_code=b.credit_code,
                      price=b.price if b.reveal_status in OPENED else None,
                      document_hashes=tuple(b.document_hashes or ()), ip=b.submitted_ip,
                      device_fingerprint=b.device_fingerprint, deposit_accounts=tuple(accounts.get(b.credit_code, ())))
             for b in bids]
    stored = []
    for flag in screen_all(facts, thresholds(settings)):
        row = CollusionFlag(id=new_id(), project_id=project.id, section_id=section.id, tenant=project.tenant,
                            screen=flag.screen, score_bp=int(flag.score * BP), evidence=flag.evidence,
                            credit_codes=flag.credit_codes, status="open", created_at=now)
        session.add(row)
        stored.append(row)
        await emit(session, "bidding.collusion.flagged", CollusionFlagged(
            project_code=project.code, section_code=section.code, site_code=project.site_code, flag_id=row.id,
            screen=flag.screen, score=flag.score, credit_codes=flag.credit_codes, flagged_at=now),
            tenant=project.tenant, about=project.code)
    await session.flush()
    return stored


async def decide(session: AsyncSession, flag: CollusionFlag, project: Project, section: Section, *, confirm: bool,
                 note: str, now: datetime, actor: str) -> CollusionFlag:
    """Confirm or dismiss an open flag; a confirmation is announced to credit."""
    if flag.status != "open":
        raise FlagDecided(f"This flag was {flag.status} already.")
    flag.status = "confirmed" if confirm else "dismissed"
    flag.decided_by, flag.decided_at, flag.decision_note = actor, now, note
    await session.flush()
    if confirm:
        await emit(session, "bidding.collusion.confirmed", CollusionConfirmed(
            project_code=project.code, section_code=section.code, site_code=project.site_code, flag_id=flag.id,
            screens=[flag.screen], credit_codes=flag.credit_codes, confirmed_by=actor, confirmed_at=now),
            tenant=project.tenant, about=project.code)
    return flag


async def list_flags(session: AsyncSession, who: Principal, *, status: str | None = None,
                     project_code: str | None = None) -> list[tuple[CollusionFlag, Project]]:
    """The flags of the principal's sites with their projects, newest first (at most 500)."""
    statement = scoped(select(CollusionFlag, Project).join(Project, Project.id == CollusionFlag.project_id),
                       CollusionFlag.tenant, who).order_by(CollusionFlag.created_at.desc(), CollusionFlag.id)
    if status:
        statement = statement.where(CollusionFlag.status == status)
    if project_code:
        statement = statement.where(Project.code == project_code)
    return [(flag, project) for flag, project in (await session.execute(statement.limit(500))).all()]


async def get_flag(session: AsyncSession, flag_id: str, who: Principal) -> tuple[CollusionFlag, Project, Section]:
    """A flag of the principal's sites with its project and section; 404 otherwise."""
    flag = await session.get(CollusionFlag, flag_id)
    if flag is None or not who.may_act_on(flag.tenant):
        raise FlagNotFound(f"No flag {flag_id}.")
    project = await session.get(Project, flag.project_id)
    section = await session.get(Section, flag.section_id)
    assert project is not None
    assert section is not None
    return flag, project, section
