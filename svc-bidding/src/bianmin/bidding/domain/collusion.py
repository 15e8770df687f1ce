"""Collusion flags: screen runs, the hearing of every bidder a flag names, and the supervisor's decision per bidder.

Runs. The screens run when an opening finishes, when a supervisor re-runs them on an opened tender with
thresholds of their own (the calibrated ones are an assumption, see ``screens``), and over a set of
sections a supervisor chooses for rotation. Every run is kept (``ScreenRun``): who ran it, when, with
which thresholds, over what, and which flags it raised — new ones, and the ones it found again (a re-run
does not raise a flag that is already there: same section, screen, bidders and facts).

Flags and hearings. A flag names the bidders it concerns and proves nothing by itself (实施条例 §40
lists what is *deemed* collusion; a screen points at it). A supervisor (``bidding:supervise``) opens a
hearing for each bidder (陈述申辩, 行政处罚法 §44-45: the party is told the facts, reasons and grounds and may
state its case and defend itself before a sanction), with a deadline of ``collusion_hearing_workdays``
working days on the district's calendar (``bidding.collusion.hearing_opened`` tells the bidder's app). The
bidder answers through its own account or app (its party, never an operator acting for it) before the
deadline. A supervisor then confirms the bidder — only once its statement is in or its deadline has
passed — or clears it; each confirmation emits ``bidding.collusion.confirmed`` naming that bidder alone,
and credit records a bad behaviour for that bidder only. A flag is decided when every bidder it names is;
a supervisor may dismiss a flag outright while no bidder of it is confirmed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain import bids as bid_rules
from bianmin.bidding.domain import screens
from bianmin.bidding.domain.bidders import BIDDER_ROLE, deposit_accounts
from bianmin.bidding.domain.bids import OPENED
from bianmin.bidding.domain.common import acting_id, new_id, scoped, section_of
from bianmin.bidding.domain.errors import (
    BidderDecided,
    FlagDecided,
    FlagNotFound,
    HearingClosed,
    HearingNotFound,
    HearingOpened,
    HearingPending,
    NotOpened,
    NotTheBidder,
    ProjectNotFound,
)
from bianmin.bidding.models import Bid, CollusionFlag, CollusionHearing, Project, Registration, ScreenRun, Section
from bianmin.bidding.settings import BiddingSettings
from bianmin.contracts.events.bidding import CollusionConfirmed, CollusionFlagged, CollusionHearingOpened
from bianmin.kit.calendar import load_calendar
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.identity import Principal
from bianmin.kit.workdays import local_date

BP = Decimal(10000)
# Evidence that says which threshold was used, not what was found: a re-run with other thresholds that
# finds the same facts finds the same flag.
THRESHOLD_EVIDENCE = ("threshold", "basis")


def thresholds(settings: BiddingSettings) -> screens.Thresholds:
    """The screens' thresholds from the settings."""
    return screens.Thresholds(cv_max=settings.screen_cv_max, rd_min=settings.screen_rd_min,
                              gap_cv_max=settings.screen_gap_cv_max, min_bids=settings.screen_min_bids,
                              min_gaps=settings.screen_min_gaps)


def thresholds_record(t: screens.Thresholds) -> dict[str, Any]:
    """A run's thresholds as recorded: each value, or ``"calibrated"`` where the table per number of bids served."""
    def shown(value: Decimal | None) -> str:
        return "calibrated" if value is None else str(value)
    return {"cv_max": shown(t.cv_max), "rd_min": shown(t.rd_min), "gap_cv_max": shown(t.gap_cv_max),
            "min_bids": t.min_bids, "min_gaps": t.min_gaps}


def score_of(flag: CollusionFlag) -> Decimal:
    """A flag's score in [0, 1]."""
    return (Decimal(flag.score_bp) / BP).quantize(Decimal("0.0001"))


def _identity(screen: str, codes: list[str], evidence: dict[str, Any]) -> tuple[str, tuple[str, ...], str]:
    facts = {k: v for k, v in evidence.items() if k not in THRESHOLD_EVIDENCE}
    return screen, tuple(sorted(codes)), repr(sorted(facts.items()))


async def new_run(session: AsyncSession, *, tenant: str, kind: str, project_code: str | None, scope: list[str],
                  recorded: dict[str, Any], by: str, now: datetime, note: str | None = None) -> ScreenRun:
    """Start the record of a screen run; its flags are added as they are raised."""
    run = ScreenRun(id=new_id(), tenant=tenant, kind=kind, project_code=project_code, scope=scope, thresholds=recorded,
                    run_by=by, run_at=now, note=note, raised=[], matched=[])
    session.add(run)
    await session.flush()
    return run


async def facts_of(session: AsyncSession, project: Project, section: Section, bids: list[Bid]) -> list[screens.BidFacts]:
    """What the screens know of a section's counted bids: prices and the project manager once opened, documents,
    address and device, the bid file's machine code, who registered and submitted (every version), the contact
    phone, and the payer accounts of cash deposits.

    Electronic guarantees carry no payer: ``guarantee.guarantee.issued`` names the applicant and the issuer
    only, so a bid bond counts for ``same_deposit_account`` when it was paid in cash.
    """
    accounts = await deposit_accounts(session, project_code=project.code, section_code=section.code)
    registrations = {r.credit_code: r for r in (await session.execute(select(Registration).where(
        Registration.section_id == section.id))).scalars()}
    agents: dict[str, set[str]] = defaultdict(set)
    for credit_code, by in (await session.execute(select(Bid.credit_code, Bid.submitted_by).where(
            Bid.section_id == section.id, Bid.submitted_by.is_not(None)))).all():
        agents[credit_code].add(by)
    for credit_code, registration in registrations.items():
        if registration.registered_by:
            agents[credit_code].add(registration.registered_by)
    out = []
    for b in bids:
        opened = b.reveal_status in OPENED
        registration = registrations.get(b.credit_code)
        out.append(screens.BidFacts(
            credit_code=b.credit_code, price=b.price if opened else None,
            document_hashes=tuple(b.document_hashes or ()), ip=b.submitted_ip, device_fingerprint=b.device_fingerprint,
            deposit_accounts=tuple(accounts.get(b.credit_code, ())),
            project_manager=b.project_manager if opened else None, agents=tuple(sorted(agents[b.credit_code])),
            contact_phone=registration.contact_phone if registration else None, machine_code=b.machine_code))
    return out


async def _store(session: AsyncSession, project: Project, section: Section, flags: list[screens.Flag], run: ScreenRun,
                 *, now: datetime) -> list[CollusionFlag]:
    """Keep and announce the flags not already on the section; note every one on the run."""
    existing = {_identity(f.screen, f.credit_codes, f.evidence): f.id for f in (await session.execute(
        select(CollusionFlag).where(CollusionFlag.section_id == section.id))).scalars()}
    stored = []
    raised, matched = list(run.raised), list(run.matched)
    for flag in flags:
        known = existing.get(_identity(flag.screen, flag.credit_codes, flag.evidence))
        if known is not None:
            matched.append(known)
            continue
        row = CollusionFlag(id=new_id(), project_id=project.id, section_id=section.id, tenant=project.tenant,
                            screen=flag.screen, score_bp=int(flag.score * BP), evidence=flag.evidence,
                            credit_codes=flag.credit_codes, status="open", created_at=now, run_id=run.id)
        session.add(row)
        stored.append(row)
        raised.append(row.id)
        existing[_identity(flag.screen, flag.credit_codes, flag.evidence)] = row.id
        await emit(session, "bidding.collusion.flagged", CollusionFlagged(
            project_code=project.code, section_code=section.code, site_code=project.site_code, flag_id=row.id,
            screen=flag.screen, score=flag.score, credit_codes=flag.credit_codes, flagged_at=now),
            tenant=project.tenant, about=project.code)
    run.raised, run.matched = raised, matched
    await session.flush()
    return stored


async def screen_section(session: AsyncSession, project: Project, section: Section, bids: list[Bid], *,
                         now: datetime, run: ScreenRun, t: screens.Thresholds) -> list[CollusionFlag]:
    """Run every screen on a section's counted bids and store and announce what they newly flag."""
    facts = await facts_of(session, project, section, bids)
    return await _store(session, project, section, screens.screen_all(facts, t), run, now=now)


async def opening_run(session: AsyncSession, project: Project, *, now: datetime, actor: str,
                      settings: BiddingSettings) -> ScreenRun:
    """The record of the screens run when a tender's opening finishes, with the settings' thresholds."""
    return await new_run(session, tenant=project.tenant, kind="opening", project_code=project.code,
                         scope=[f"{project.code}/{s.code}" for s in project.sections if s.outcome != "failed"],
                         recorded=thresholds_record(thresholds(settings)), by=actor, now=now)


async def rerun(session: AsyncSession, project: Project, t: screens.Thresholds, *, now: datetime, by: Principal,
                note: str | None) -> ScreenRun:
    """Run every screen again on an opened tender's sections with a supervisor's thresholds, and record the run.

    The sections screened are those the opening opened (a section that failed for too few bidders was never
    opened, §44). Flags already raised are found again, not raised twice.
    """
    if project.opened_at is None:
        raise NotOpened(f"{project.code} was not opened: its bids are screened when the opening finishes.")
    sections = []
    for section in project.sections:
        counted = await bid_rules.counted(session, section)
        if any(b.reveal_status != "sealed" for b in counted):
            sections.append((section, counted))
    run = await new_run(session, tenant=project.tenant, kind="rerun", project_code=project.code,
                        scope=[f"{project.code}/{s.code}" for s, _ in sections], recorded=thresholds_record(t),
                        by=acting_id(by), now=now, note=note)
    for section, counted in sections:
        await screen_section(session, project, section, counted, now=now, run=run, t=t)
    return run


async def rotation_run(session: AsyncSession, refs: list[tuple[str, str]], alpha: Decimal, *, now: datetime,
                       by: Principal, note: str | None, ensure: Callable[[str], None]) -> ScreenRun:
    """Screen a set of sections a supervisor chose for rotation (``screens.rotation``), in the order they opened.

    Each section must be of an opened tender on the supervisor's sites (``ensure`` checks the caller's role over
    each project's site); its bidders are its counted bids, its
    winner the one awarded (an undecided section takes no turn). A flag is kept on the latest section.
    """
    chosen: list[tuple[Project, Section]] = []
    for i, (code, section_code) in enumerate(refs):
        project = (await session.execute(select(Project).where(Project.code == code))).scalar_one_or_none()
        if project is None or not by.may_act_on(project.tenant):
            raise ProjectNotFound(f"No project {code} on your sites.")
        ensure(project.site_code)
        if project.opened_at is None:
            raise NotOpened(f"sections.{i}: {code} was not opened; rotation is screened over opened tenders.")
        chosen.append((project, section_of(project, section_code)))
    chosen.sort(key=lambda pair: (pair[0].opened_at or now, pair[0].code, pair[1].code))
    outcomes = []
    for project, section in chosen:
        bidders = frozenset(b.credit_code for b in await bid_rules.counted(session, section))
        outcomes.append(screens.SectionOutcome(ref=f"{project.code}/{section.code}", bidders=bidders,
                                               winner=section.winner_credit_code))
    last_project, last_section = chosen[-1]
    run = await new_run(session, tenant=last_project.tenant, kind="rotation", project_code=None,
                        scope=[o.ref for o in outcomes], recorded={"alpha": str(alpha)}, by=acting_id(by), now=now,
                        note=note)
    await _store(session, last_project, last_section, screens.rotation(outcomes, alpha), run, now=now)
    return run


async def list_runs(session: AsyncSession, who: Principal, *, project_code: str | None = None) -> list[ScreenRun]:
    """The screen runs of the principal's sites, newest first (at most 500)."""
    statement = scoped(select(ScreenRun), ScreenRun.tenant, who).order_by(ScreenRun.run_at.desc(), ScreenRun.id)
    if project_code:
        statement = statement.where(ScreenRun.project_code == project_code)
    return list((await session.execute(statement.limit(500))).scalars())


async def hearings_of(session: AsyncSession, flag_ids: list[str]) -> dict[str, list[CollusionHearing]]:
    """The hearings of some flags, per flag, in the order they were opened."""
    out: dict[str, list[CollusionHearing]] = defaultdict(list)
    if flag_ids:
        rows = (await session.execute(select(CollusionHearing).where(CollusionHearing.flag_id.in_(flag_ids))
                                      .order_by(CollusionHearing.id))).scalars()
        for hearing in rows:
            out[hearing.flag_id].append(hearing)
    return out


def _named(flag: CollusionFlag, credit_code: str) -> None:
    if credit_code not in flag.credit_codes:
        raise HearingNotFound(f"Flag {flag.id} does not name {credit_code}.")


async def _hearing(session: AsyncSession, flag: CollusionFlag, credit_code: str) -> CollusionHearing | None:
    return (await session.execute(select(CollusionHearing).where(
        CollusionHearing.flag_id == flag.id, CollusionHearing.credit_code == credit_code))).scalar_one_or_none()


async def open_hearing(session: AsyncSession, flag: CollusionFlag, project: Project, section: Section, *,
                       credit_code: str, notice: str, now: datetime, by: Principal,
                       settings: BiddingSettings) -> CollusionHearing:
    """Give a bidder the flag names its hearing: the notice, and a deadline in working days."""
    if flag.status != "open":
        raise FlagDecided(f"This flag was {flag.status} already.")
    if credit_code not in flag.credit_codes:
        raise Unprocessable.field("credit_code", f"flag {flag.id} does not name {credit_code}")
    if await _hearing(session, flag, credit_code) is not None:
        raise HearingOpened(f"{credit_code} was given its hearing on flag {flag.id} already.")
    calendar = await load_calendar(session)
    due = calendar.deadline(now, settings.collusion_hearing_workdays)
    hearing = CollusionHearing(flag_id=flag.id, credit_code=credit_code, notice=notice, opened_by=acting_id(by),
                               opened_at=now, due_at=due,
                               due_basis=calendar.provisional_reason(local_date(now), local_date(due)))
    session.add(hearing)
    await session.flush()
    await emit(session, "bidding.collusion.hearing_opened", CollusionHearingOpened(
        project_code=project.code, section_code=section.code, site_code=project.site_code, flag_id=flag.id,
        screen=flag.screen, credit_code=credit_code, notice=notice, opened_at=now, due_at=due),
        tenant=project.tenant, about=project.code)
    return hearing


async def answer_hearing(session: AsyncSession, flag: CollusionFlag, *, credit_code: str, statement: str,
                         now: datetime, by: Principal) -> CollusionHearing:
    """The bidder's statement and defence, through its own account or app, before the deadline."""
    ensure_own(by, credit_code)
    _named(flag, credit_code)
    hearing = await _hearing(session, flag, credit_code)
    if hearing is None:
        raise HearingNotFound(f"{credit_code} has no hearing on flag {flag.id}.")
    if hearing.statement is not None:
        raise HearingClosed(f"{credit_code} answered on {hearing.answered_at}.")
    if hearing.decision is not None or flag.status != "open":
        raise HearingClosed("The supervisor decided already.")
    if now > hearing.due_at:
        raise HearingClosed(f"The hearing closed at {hearing.due_at.isoformat()}.")
    hearing.statement, hearing.answered_by, hearing.answered_at = statement, acting_id(by), now
    await session.flush()
    return hearing


async def decide_bidder(session: AsyncSession, flag: CollusionFlag, project: Project, section: Section, *,
                        credit_code: str, confirm: bool, note: str, now: datetime, by: Principal) -> CollusionHearing:
    """Confirm a bidder of the flag after its hearing (announced to credit), or clear it."""
    _named(flag, credit_code)
    if flag.status != "open":
        raise FlagDecided(f"This flag was {flag.status} already.")
    hearing = await _hearing(session, flag, credit_code)
    if hearing is None:
        raise HearingPending(f"Open {credit_code}'s hearing (陈述申辩) first: it is heard before any decision.")
    if hearing.decision is not None:
        raise BidderDecided(f"{credit_code} was {hearing.decision} already.")
    if confirm and hearing.statement is None and now <= hearing.due_at:
        raise HearingPending(f"{credit_code} may state its case until {hearing.due_at.isoformat()}: "
                             "it is confirmed once it answered or that deadline passed.")
    actor = acting_id(by)
    hearing.decision = "confirmed" if confirm else "cleared"
    hearing.decided_by, hearing.decided_at, hearing.decision_note = actor, now, note
    await session.flush()
    decided = {h.credit_code: h.decision for h in (await hearings_of(session, [flag.id]))[flag.id] if h.decision}
    if set(flag.credit_codes) <= set(decided):
        flag.status = "confirmed" if "confirmed" in decided.values() else "dismissed"
        flag.decided_by, flag.decided_at = actor, now
        flag.decision_note = "; ".join(f"{code} {decided[code]}" for code in flag.credit_codes)
    await session.flush()
    if confirm:
        await emit(session, "bidding.collusion.confirmed", CollusionConfirmed(
            project_code=project.code, section_code=section.code, site_code=project.site_code, flag_id=flag.id,
            screens=[flag.screen], credit_codes=[credit_code], confirmed_by=actor, confirmed_at=now),
            tenant=project.tenant, about=project.code)
    return hearing


async def dismiss(session: AsyncSession, flag: CollusionFlag, *, note: str, now: datetime, by: Principal) -> CollusionFlag:
    """Dismiss a whole flag while no bidder of it is confirmed; hearings still undecided close as cleared."""
    if flag.status != "open":
        raise FlagDecided(f"This flag was {flag.status} already.")
    hearings = (await hearings_of(session, [flag.id]))[flag.id]
    if any(h.decision == "confirmed" for h in hearings):
        raise BidderDecided("A bidder of this flag is confirmed: decide the others one by one.")
    actor = acting_id(by)
    for hearing in hearings:
        if hearing.decision is None:
            hearing.decision, hearing.decided_by, hearing.decided_at, hearing.decision_note = "cleared", actor, now, note
    flag.status, flag.decided_by, flag.decided_at, flag.decision_note = "dismissed", actor, now, note
    await session.flush()
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
    return await get_flag_of(session, flag)


async def get_flag_of(session: AsyncSession, flag: CollusionFlag) -> tuple[CollusionFlag, Project, Section]:
    """A flag with its project and section."""
    project = await session.get(Project, flag.project_id)
    section = await session.get(Section, flag.section_id)
    assert project is not None
    assert section is not None
    return flag, project, section


def ensure_own(by: Principal, credit_code: str) -> None:
    """403 unless the caller is the bidder's own account or app: a hearing is the party's, and an operator's app
    that may act for any enterprise elsewhere does not state another's case."""
    if credit_code not in by.parties(BIDDER_ROLE):
        raise NotTheBidder(f"Only {credit_code}'s own account or app takes part in its hearings "
                           f"(scope {BIDDER_ROLE}:<credit code>).")


async def flag_for_bidder(session: AsyncSession, flag_id: str, credit_code: str, by: Principal) -> CollusionFlag:
    """A flag that names ``credit_code``, for the bidder's own account or app (403 for anyone else, before the
    flag is even looked up: whether a flag names an enterprise is not another caller's to learn)."""
    ensure_own(by, credit_code)
    flag = await session.get(CollusionFlag, flag_id)
    if flag is None or credit_code not in flag.credit_codes:
        raise FlagNotFound(f"No flag {flag_id} names {credit_code}.")
    return flag


async def hearings_for_bidder(session: AsyncSession, credit_code: str, by: Principal
                              ) -> list[tuple[CollusionHearing, CollusionFlag, Project, Section]]:
    """A bidder's hearings, newest first, for its own account or app only."""
    ensure_own(by, credit_code)
    rows = (await session.execute(select(CollusionHearing, CollusionFlag)
                                  .join(CollusionFlag, CollusionFlag.id == CollusionHearing.flag_id)
                                  .where(CollusionHearing.credit_code == credit_code)
                                  .order_by(CollusionHearing.opened_at.desc(), CollusionHearing.id).limit(500))).all()
    return [(hearing, *await get_flag_of(session, flag)) for hearing, flag in rows]
