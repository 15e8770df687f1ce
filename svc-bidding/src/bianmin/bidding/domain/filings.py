"""Direct contracts (直接发包) filed for the record (备案), and the buyer's project registry they name.

- What may be filed: 招标投标法 §3 and 必须招标的工程项目规定 (国家发展改革委令第16号) §5 make a
  contract of a work that must be tendered by law go through a tender when its estimate is 4 million
  yuan or more for works (施工), 2 million for goods (重要设备、材料等货物), 1 million for services
  (勘察、设计、监理等). "以上" includes the figure itself (民法典 §1259), so a direct contract must stay
  *below* its kind's threshold; the three thresholds are settings.
- Splitting (化整为零, 实施条例 §24 and 招标投标法 §4): a buyer may not split one work into contracts
  that each stay under the threshold. The sum that counts is that of the same buyer's direct contracts
  for the same work over any 12 consecutive months holding the new contract's signing day (a true
  rolling window, before or after it, not a calendar year): it must stay below the threshold too.
  Twelve months run from a signing day to the same day of the month a year later, exclusive (29
  February to 28 February); filings waiting for approval count, rejected ones do not.
- The work is not free text: it is a subject of the buyer's project registry (项目库), kept by the
  buyer's agent or a supervisor, each work registered once per buyer by code and by name (case and
  spaces aside), with its kind, which sets the threshold. A filing naming a work the buyer's registry
  does not hold is a 422 naming ``subject_code``; renaming a work cannot start a new sum.
- A refused filing (over the threshold, or split) is kept with what was asked and why, and listed in
  the supervisors' alerts (``domain/alerts.py``): an attempt to skip a tender is itself a signal. The
  same refusal asked again is kept once.
- A filing waits for a supervisor's approval (status ``filed``) before it counts as awarded: §66 and
  实施条例 §9 list the narrow cases where tendering may be skipped, and the supervising department, not
  the filer, confirms the case is one of them. Whoever filed may not approve (separation of duties); a
  supervisor may reject a filing with its reason (``rejected``). The award day is the signing day.
- A filing names its contractor by credit code and registered name: the published award (OCDS)
  must name its supplier, and bidding holds no other record of an enterprise that never registered.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain import ocds
from bianmin.bidding.domain.common import acting_id, actor_of, new_id, scoped
from bianmin.bidding.domain.errors import (
    DirectContractApproved,
    DirectContractOverThreshold,
    DirectContractSplit,
    NotADirectContract,
    ProjectExists,
    SeparationOfDuties,
    SubjectExists,
)
from bianmin.bidding.domain.projects import project_site, transition
from bianmin.bidding.models import Project, ProjectSubject, ProjectTransition, RefusedFiling, Section
from bianmin.bidding.schemas import DirectContractCreate, SubjectCreate
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.errors import Unprocessable
from bianmin.kit.identity import Principal, ensure_tenant
from bianmin.kit.workdays import SHANGHAI

COUNTING = ("filed", "awarded")
"""Statuses of a direct contract that count towards the splitting sum."""
SIGNED_AT = time(12)


def name_key(name: str) -> str:
    """A work's name folded for comparison: case and every space aside."""
    return "".join(name.split()).casefold()


def twelve_months_after(day: date) -> date:
    """The same day of the month a year later (28 February for 29 February): where a 12-month period ends, exclusive."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def heaviest_period(day: date, amount: Decimal,
                    others: Sequence[tuple[date, Decimal, str]]) -> tuple[Decimal, list[str]]:
    """The largest sum over any 12 months holding ``day``, with ``amount`` on ``day``, and the codes it adds.

    The heaviest period can always start on a signing day at or before ``day`` (moving its start to the
    next signing day drops nothing and may take in more at its end), so only those starts are tried.
    """
    best, codes = amount, []
    for start in sorted({day, *(d for d, _, _ in others if d <= day)}):
        end = twelve_months_after(start)
        if day >= end:
            continue
        within = [(a, code) for d, a, code in others if start <= d < end]
        total = amount + sum((a for a, _ in within), Decimal(0))
        if total > best:
            best, codes = total, sorted(code for _, code in within)
    return best, codes


async def register_subject(session: AsyncSession, body: SubjectCreate, *, now: datetime, by: Principal) -> ProjectSubject:
    """Register a work in the buyer's registry: 409 ``subject_exists`` for a code or a name it holds already."""
    tenant = (await project_site(session, body.level, body.site_code)).tenant
    ensure_tenant(by, tenant)
    key = name_key(body.name)
    clash = (await session.execute(select(ProjectSubject).where(
        ProjectSubject.buyer_credit_code == body.buyer_credit_code,
        (ProjectSubject.code == body.code) | (ProjectSubject.name_key == key)).limit(1))).scalar_one_or_none()
    if clash is not None:
        raise SubjectExists(f"The registry of {body.buyer_credit_code} holds {clash.code} ({clash.name}) already: "
                            "a work is registered once.")
    subject = ProjectSubject(buyer_credit_code=body.buyer_credit_code, code=body.code, name=body.name.strip(),
                             name_key=key, kind=body.kind, level=body.level, site_code=body.site_code, tenant=tenant,
                             created_at=now, created_by=acting_id(by))
    session.add(subject)
    await session.flush()
    return subject


async def list_subjects(session: AsyncSession, who: Principal, *,
                        buyer_credit_code: str | None = None) -> list[ProjectSubject]:
    """The registered works of the principal's sites, by buyer and code (at most 500)."""
    statement = scoped(select(ProjectSubject), ProjectSubject.tenant, who)
    if buyer_credit_code is not None:
        statement = statement.where(ProjectSubject.buyer_credit_code == buyer_credit_code)
    return list((await session.execute(statement.order_by(ProjectSubject.buyer_credit_code, ProjectSubject.code)
                                       .limit(500))).scalars())


async def subject_of(session: AsyncSession, buyer_credit_code: str, code: str) -> ProjectSubject:
    """The buyer's registered work ``code``; a 422 naming ``subject_code`` when the registry holds none."""
    subject = (await session.execute(select(ProjectSubject).where(
        ProjectSubject.buyer_credit_code == buyer_credit_code, ProjectSubject.code == code))).scalar_one_or_none()
    if subject is None:
        raise Unprocessable.field("subject_code", f"the project registry of {buyer_credit_code} holds no work {code}; "
                                  "register it first")
    return subject


async def _earlier(session: AsyncSession, body: DirectContractCreate) -> list[tuple[date, Decimal, str]]:
    """The buyer's counting direct contracts for the work signed within a year and a day of ``body``'s."""
    rows = await session.execute(select(Project.signed_on, Project.budget, Project.code).where(
        Project.method == "direct", Project.status.in_(COUNTING),
        Project.tenderer_credit_code == body.tenderer_credit_code, Project.subject_code == body.subject_code,
        Project.signed_on > body.signed_on - timedelta(days=367), Project.signed_on < body.signed_on + timedelta(days=367)))
    return [(signed_on, budget, code) for signed_on, budget, code in rows.all() if signed_on is not None]


async def file_direct(session: AsyncSession, body: DirectContractCreate, *, now: datetime, by: Principal,
                      settings: BiddingSettings) -> Project:
    """File a direct contract awaiting approval; refuse one at or above its threshold, or split to stay under it.

    A refusal raises :class:`DirectContractOverThreshold` or :class:`DirectContractSplit`; the caller
    keeps it (:func:`keep_refusal`) after rolling the filing back.
    """
    tenant = (await project_site(session, body.level, body.site_code)).tenant
    ensure_tenant(by, tenant)
    signed_at = datetime.combine(body.signed_on, SIGNED_AT, tzinfo=SHANGHAI)
    if signed_at > now + timedelta(days=1):
        raise Unprocessable.field("signed_on", "must not be in the future")
    subject = await subject_of(session, body.tenderer_credit_code, body.subject_code)
    threshold = settings.tender_threshold(subject.kind)
    if body.amount >= threshold:
        raise DirectContractOverThreshold.field(
            "amount", f"{subject.kind} contracts of {threshold} yuan or more must be tendered (发改委令第16号 §5)")
    total, codes = heaviest_period(body.signed_on, body.amount, await _earlier(session, body))
    if total >= threshold:
        raise DirectContractSplit.field(
            "amount", f"with {', '.join(codes)} for work {body.subject_code} within 12 months the total {total} "
            f"reaches {threshold}: a split contract must be tendered (实施条例 §24)")
    if (await session.execute(select(Project.id).where(Project.code == body.code))).first():
        raise ProjectExists(f"Project {body.code} exists.")
    project = Project(
        code=body.code, name=body.name, category=body.category, level=body.level, site_code=body.site_code,
        tenant=tenant, method="direct", subject_code=body.subject_code, tenderer_name=body.tenderer_name,
        tenderer_credit_code=body.tenderer_credit_code, budget=body.amount, bid_deadline=signed_at,
        opening_at=signed_at, decryption_minutes=5, confirmation_minutes=1, evaluation_method="lowest_price",
        price_weight=100, technical_weight=0, publicity_days=3, status="filed", created_at=now,
        created_by=actor_of(by), awarded_at=None, filed_by=acting_id(by), signed_on=body.signed_on,
        contractor_name=body.contractor_name,
        sections=[Section(code="S1", name=body.name, budget=body.amount, bid_bond_amount=Decimal(0),
                          outcome="pending", winner_credit_code=body.contractor_credit_code, award_amount=body.amount,
                          contract_signed_at=signed_at)],
    )
    session.add(project)
    await session.flush()
    session.add(ProjectTransition(project_id=project.id, from_status=None, to_status="filed", at=now,
                                  actor=actor_of(by), reason=f"direct contract filed: {body.reason}"))
    await session.flush()
    return project


async def keep_refusal(session: AsyncSession, body: DirectContractCreate, refusal: Unprocessable, *, now: datetime,
                       by: Principal) -> RefusedFiling:
    """Keep a refused filing for the supervisors' alerts; the same refusal asked again is kept once."""
    tenant = (await project_site(session, body.level, body.site_code)).tenant
    detail = "; ".join(f"{e.field}: {e.reason}" for e in refusal.errors or []) or str(refusal)
    kept = (await session.execute(select(RefusedFiling).where(
        RefusedFiling.code == body.code, RefusedFiling.buyer_credit_code == body.tenderer_credit_code,
        RefusedFiling.subject_code == body.subject_code, RefusedFiling.amount == body.amount,
        RefusedFiling.signed_on == body.signed_on, RefusedFiling.reason == refusal.code,
        RefusedFiling.contractor_credit_code == body.contractor_credit_code).limit(1))).scalar_one_or_none()
    if kept is not None:
        return kept
    refused = RefusedFiling(id=new_id(), code=body.code, tenant=tenant, site_code=body.site_code,
                            buyer_credit_code=body.tenderer_credit_code, buyer_name=body.tenderer_name,
                            subject_code=body.subject_code, contractor_credit_code=body.contractor_credit_code,
                            amount=body.amount, signed_on=body.signed_on, reason=refusal.code, detail=detail,
                            refused_at=now, filed_by=acting_id(by))
    session.add(refused)
    await session.flush()
    return refused


def _direct(project: Project) -> None:
    if project.method != "direct":
        raise NotADirectContract(f"Project {project.code} was tendered, not filed as a direct contract.")


async def approve_direct(session: AsyncSession, project: Project, *, now: datetime, by: Principal) -> Project:
    """A supervisor approves a filing: it is awarded on its signing day. The filer may not approve their own."""
    _direct(project)
    if project.approved_at is not None:
        raise DirectContractApproved(f"The filing {project.code} is approved already.")
    if project.filed_by == acting_id(by):
        raise SeparationOfDuties("Whoever files a direct contract may not approve it.")
    if project.status != "awarded":  # filings made before approval was required were awarded at filing
        await transition(session, project, "awarded", now=now, actor=actor_of(by), reason="filing approved")
        project.awarded_at = datetime.combine(project.signed_on or now.astimezone(SHANGHAI).date(), SIGNED_AT,
                                              tzinfo=SHANGHAI)
        for section in project.sections:
            section.outcome = "awarded"
        await ocds.record(session, project, tag=["award", "contract"], at=now)
    project.approved_by, project.approved_at = acting_id(by), now
    await session.flush()
    return project


async def reject_direct(session: AsyncSession, project: Project, *, reason: str, now: datetime,
                        by: Principal) -> Project:
    """A supervisor rejects a filing with its reason: the contract must be tendered, and no longer counts."""
    _direct(project)
    if not reason.strip():
        raise Unprocessable.field("reason", "a rejection states its reason")
    await transition(session, project, "rejected", now=now, actor=actor_of(by), reason=reason)
    for section in project.sections:
        section.outcome, section.failure_reason = "failed", reason
    return project


async def refused_for(session: AsyncSession, who: Principal) -> list[RefusedFiling]:
    """The refused filings of the principal's sites, oldest first (at most 500)."""
    return list((await session.execute(scoped(select(RefusedFiling), RefusedFiling.tenant, who)
                                       .order_by(RefusedFiling.refused_at, RefusedFiling.code, RefusedFiling.id).limit(500))).scalars())
