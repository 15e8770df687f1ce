"""Remote opening (不见面开标): start, sign-in, reveal within the window, voiding, and the record.

At the opening time the opening starts (the worker starts it by itself, :func:`start_due`; the
tender agent may start it too): a section with fewer than ``min_bidders`` bids is not opened (§44)
and fails. Each bidder signs in to the opening and then reveals their data key and salt within
``decryption_minutes`` of the start (a bidder that has not signed in cannot decrypt); the platform
decrypts, checks the commitment and parses the package. The opening finishes when the window has
closed, by itself (the worker, :func:`finish_due`, exactly once across replicas: :func:`finish`
claims the tender with a conditional update), or earlier by the agent's call once every bid is
revealed.

Not decrypting is not a free option. While the window is open the record says who decrypted, never
at what price: the prices are published together in the closing record, so no bidder decides whether
to decrypt knowing the others' prices. A bid not revealed is void, and when that is the bidder's
own fault (it did not decrypt, or the backup decryption of its escrow-wrapped key failed because the
key it wrapped was wrong) it is deemed withdrawn (《电子招标投标办法》: a bid not decrypted through the
bidder's fault is treated as withdrawn), which after the deadline is a default under 实施条例 §35:
``bidding.bidder.defaulted`` is emitted, guarantee files the tenderer's demand on the bid bond and
credit records it. Only an escrow recovery abandoned for want of custodians' shares, the platform's
failure, voids a bid without a default.

A bid whose deposit is not secured or whose price exceeds the section's ceiling is invalid, the
collusion screens run, and a section left with no valid bid, or with fewer than the tender's own
floor (``min_valid_bids``), fails; a thinner field than three valid bids is otherwise the
committee's to judge (招标投标法 §42, ``bids.too_few_valid``). Bidders then confirm the record or
object within ``confirmation_minutes``; objections are answered and recorded (§44: on the spot).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding import sealing
from bianmin.bidding.domain import bids as bid_rules
from bianmin.bidding.domain import collusion
from bianmin.bidding.domain.bidders import registration_of, secured_amount
from bianmin.bidding.domain.common import minutes, record
from bianmin.bidding.domain.errors import (
    AlreadyAnswered,
    AlreadyConfirmed,
    AlreadyRevealed,
    BidNotCounted,
    BidNotFound,
    NotAcceptingResponses,
    NotOpened,
    NotOpening,
    NotRegistered,
    NotSignedIn,
    ObjectionNotFound,
    OpeningNotReached,
    OpeningRunning,
    ProjectStatusForbids,
    RecoveryPending,
    RevealFailed,
    WindowClosed,
    WindowOpen,
)
from bianmin.bidding.domain.projects import fail, transition
from bianmin.bidding.models import (
    Auction,
    Bid,
    EscrowRecovery,
    OpeningRecord,
    OpeningResponse,
    Project,
    Registration,
    Section,
)
from bianmin.bidding.settings import BiddingSettings
from bianmin.contracts.events.bidding import BidderDefaulted, ProjectStatusChanged
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.identity import Principal

HASH = re.compile(r"^[0-9a-f]{64}$")
BEFORE_OPENING = ("draft", "published", "closed", "cancelled")
SCHEDULE_BATCH = 100
DEEMED_WITHDRAWN = "not decrypted within the window: deemed withdrawn (电子招标投标办法)"


class PackageError(ValueError):
    """A revealed package that opens and matches its commitment but is not a well-formed bid."""


def parse_package(package: dict[str, Any]) -> tuple[Decimal, int, str, list[str]]:
    """Price, duration, project manager and document hashes of a bid package; PackageError otherwise."""
    try:
        price = Decimal(str(package["price"]))
    except (KeyError, InvalidOperation) as exc:
        raise PackageError("price is missing or not a decimal") from exc
    if not price.is_finite() or price <= 0 or price != price.quantize(Decimal("0.01")) or price >= Decimal("1e16"):
        raise PackageError("price must be a positive amount in yuan with at most 2 decimals")
    duration = package.get("duration_days")
    if not isinstance(duration, int) or isinstance(duration, bool) or not 1 <= duration <= 3650:
        raise PackageError("duration_days must be a whole number of days from 1 to 3650")
    manager = package.get("project_manager")
    if not isinstance(manager, str) or not 0 < len(manager) <= 100:
        raise PackageError("project_manager must be a name of 1 to 100 characters")
    hashes = package.get("document_hashes", [])
    if not isinstance(hashes, list) or len(hashes) > 100 or not all(isinstance(h, str) and HASH.match(h) for h in hashes):
        raise PackageError("document_hashes must be up to 100 lower-case SHA-256 hex digests")
    return price, duration, manager, hashes


def window_end(project: Project, settings: BiddingSettings) -> datetime:
    """When the decryption window closes."""
    assert project.opening_started_at is not None
    return project.opening_started_at + minutes(project.decryption_minutes, settings)


async def _names(session: AsyncSession, project: Project) -> dict[tuple[int, str], str]:
    rows = (await session.execute(select(Registration.section_id, Registration.credit_code, Registration.name)
                                  .where(Registration.project_id == project.id))).all()
    return {(r[0], r[1]): r[2] for r in rows}


async def start(session: AsyncSession, project: Project, *, now: datetime, actor: str,
                settings: BiddingSettings) -> None:
    """Start the opening at its time; sections with too few bidders fail at once (§44)."""
    if project.status == "closed" and now < project.opening_at:
        raise OpeningNotReached("The opening time has not come.")
    if project.status == "closed":
        await _claim(session, project, "opening_started_at", now=now, was="closed")
    await transition(session, project, "opening", now=now, actor=actor)
    project.opening_started_at = now
    alive = []
    for section in project.sections:
        count = len(await bid_rules.counted(session, section))
        if count < settings.min_bidders:
            section.outcome = "failed"
            section.failure_reason = f"{count} bidder(s), fewer than {settings.min_bidders}: not opened (§44)"
            await record(session, project, "section_failed", {"section_code": section.code,
                                                              "reason": section.failure_reason}, now=now)
        else:
            alive.append(section.code)
    await record(session, project, "opening_started", {
        "window_closes_at": window_end(project, settings).isoformat(), "sections": alive}, now=now)
    if not alive:
        await fail(session, project, now=now, actor=actor, reason=f"fewer than {settings.min_bidders} bidders (§44)")


async def _claim(session: AsyncSession, project: Project, column: str, *, now: datetime, was: str) -> None:
    """Take the step from ``was`` for this transaction alone, or refuse: the step's time is set by a conditional update.

    Two replicas (or a replica and the agent) that both read the tender as ``was`` both try; the
    update of the second waits for the first's row lock on PostgreSQL and then matches no row, and on
    SQLite the writers are serialised (``BEGIN IMMEDIATE``), so the step and its events happen once.
    """
    claimed = await session.execute(
        update(Project).where(Project.id == project.id, Project.status == was, getattr(Project, column).is_(None))
        .values({column: now}).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise ProjectStatusForbids(f"Project {project.code} is no longer {was}: another worker took this step.")


async def start_due(session: AsyncSession, *, now: datetime, settings: BiddingSettings) -> list[str]:
    """Start every opening whose time has come (a closed tender, not an online auction); the codes started."""
    due = (await session.execute(
        select(Project).where(Project.status == "closed", Project.opening_at <= now,
                              Project.opening_started_at.is_(None),
                              ~select(Auction.id).where(Auction.project_id == Project.id).exists())
        .order_by(Project.id).limit(SCHEDULE_BATCH).with_for_update(skip_locked=True))).scalars().all()
    started = []
    for project in due:
        try:
            await start(session, project, now=now, actor="system", settings=settings)
        except ProjectStatusForbids:
            continue
        started.append(project.code)
    return started


async def finish_due(session: AsyncSession, *, now: datetime, settings: BiddingSettings) -> list[str]:
    """Finish every opening whose decryption window has closed; the codes finished.

    An opening whose escrow recovery still collects shares waits for it (:class:`RecoveryPending`).
    """
    running = (await session.execute(
        select(Project.id, Project.opening_started_at, Project.decryption_minutes)
        .where(Project.status == "opening", Project.opening_started_at.is_not(None)).order_by(Project.id))).all()
    due = [r[0] for r in running if r[1] + minutes(r[2], settings) <= now][:SCHEDULE_BATCH]
    finished = []
    for project_id in due:
        project = (await session.execute(select(Project).where(Project.id == project_id, Project.status == "opening")
                                         .with_for_update(skip_locked=True))).scalar_one_or_none()
        if project is None:
            continue
        try:
            await finish(session, project, now=now, actor="system", settings=settings)
        except (RecoveryPending, ProjectStatusForbids):
            continue
        finished.append(project.code)
    return finished


async def sign_in(session: AsyncSession, project: Project, *, credit_code: str, now: datetime, by: Principal) -> None:
    """A bidder signs in to the opening (in every section it bid)."""
    if project.status != "opening":
        raise NotOpening("Sign-in is open while the opening runs.")
    registrations = (await session.execute(select(Registration).where(
        Registration.project_id == project.id, Registration.credit_code == credit_code))).scalars().all()
    if not registrations:
        raise NotRegistered(f"{credit_code} did not register for {project.code}.")
    for registration in registrations:
        section = next(s for s in project.sections if s.id == registration.section_id)
        await registration_of(session, section, credit_code, by)
        if registration.signed_in_at is None:
            registration.signed_in_at = now
    await record(session, project, "signed_in", {"credit_code": credit_code, "name": registrations[0].name}, now=now)


async def get_bid(session: AsyncSession, project: Project, bid_id: str) -> Bid:
    """A bid of the project; 404 otherwise."""
    bid = await session.get(Bid, bid_id)
    if bid is None or bid.project_id != project.id:
        raise BidNotFound(f"No bid {bid_id} in {project.code}.")
    return bid


async def apply_package(session: AsyncSession, project: Project, section: Section, bid: Bid, plaintext: bytes,
                         package: dict[str, Any], *, now: datetime, how: str) -> None:
    """Take an opened package's content into the bid (``how``: revealed or escrow) and record it."""
    try:
        price, duration, manager, hashes = parse_package(package)
        bid.price, bid.duration_days, bid.project_manager, bid.document_hashes = price, duration, manager, hashes
    except PackageError as exc:
        bid.validity, bid.invalid_reason = "invalid", f"malformed package: {exc}"
    bid.reveal_status, bid.revealed_at = how, now
    secured = await secured_amount(session, project_code=project.code, section_code=section.code,
                                   credit_code=bid.credit_code)
    bid.deposit_secured = secured >= section.bid_bond_amount
    names = await _names(session, project)
    # Who decrypted, never at what price: the prices are published together when the window closes.
    await record(session, project, "bid_revealed", {
        "section_code": section.code, "credit_code": bid.credit_code,
        "name": names.get((section.id, bid.credit_code), ""), "deposit_secured": bid.deposit_secured, "how": how},
        now=now)


async def reveal(session: AsyncSession, project: Project, bid: Bid, *, data_key: str, salt: str, now: datetime,
                 by: Principal, settings: BiddingSettings) -> Bid:
    """Open one bid with the key its bidder reveals, within the decryption window."""
    if project.status != "opening":
        raise NotOpening("Bids are revealed while the opening runs.")
    if now >= window_end(project, settings):
        raise WindowClosed("The decryption window has closed.")
    section = next(s for s in project.sections if s.id == bid.section_id)
    registration = await registration_of(session, section, bid.credit_code, by)
    if bid.status != "active" or section.outcome == "failed":
        raise BidNotCounted("Only a counted bid of an opened section is revealed.")
    if bid.reveal_status != "sealed":
        raise AlreadyRevealed("This bid is revealed already.")
    if registration.signed_in_at is None:
        raise NotSignedIn(f"{bid.credit_code} has not signed in to the opening of {project.code}; sign in first.")
    try:
        plaintext = sealing.decrypt(ciphertext=bid.ciphertext, nonce=bid.nonce,
                                    data_key=sealing._b64decode(data_key, "data_key", sealing.KEY_BYTES),
                                    project=project.code, section=section.code, bidder=bid.credit_code)
        package = sealing.check_commitment(plaintext, commitment=bid.commitment, salt=salt, project=project.code,
                                           section=section.code, bidder=bid.credit_code)
    except sealing.SealError as exc:
        raise RevealFailed.field("data_key", str(exc)) from exc
    await apply_package(session, project, section, bid, plaintext, package, now=now, how="revealed")
    await session.flush()
    return bid


async def _excused(session: AsyncSession, project: Project) -> set[str]:
    """The bids whose backup decryption was abandoned: not decrypted, but not through their bidder's fault."""
    return set((await session.execute(select(EscrowRecovery.bid_id).where(
        EscrowRecovery.project_id == project.id, EscrowRecovery.status == "abandoned"))).scalars())


async def _signed_in(session: AsyncSession, project: Project) -> set[tuple[int, str]]:
    """(section id, credit code) of every bidder signed in to the opening."""
    rows = (await session.execute(select(Registration.section_id, Registration.credit_code).where(
        Registration.project_id == project.id, Registration.signed_in_at.is_not(None)))).all()
    return {(r[0], r[1]) for r in rows}


async def _deemed_withdrawn(session: AsyncSession, project: Project, section: Section, bid: Bid, *, signed_in: bool,
                            now: datetime) -> None:
    """Announce a bid not decrypted through its bidder's fault as a withdrawal after the deadline.

    《电子招标投标办法》 deems it withdrawn, and withdrawing after the deadline lets the tenderer keep the
    bid bond (实施条例 §35): guarantee files the demand, credit records the default. The event's reason
    is the contract's ``withdrew_after_deadline`` (what the statute makes of it, and a kind credit's
    rules know), its detail the precise ground ``failed_to_decrypt``, so v1 of the contract is unchanged
    and every consumer reads it (the pattern of ``evaluation.record_default``).
    """
    detail = ("failed_to_decrypt: " + ("signed in but" if signed_in else "not signed in and")
              + f" did not decrypt within the {project.decryption_minutes}-minute window; deemed withdrawn"
              " (电子招标投标办法)")
    await record(session, project, "deemed_withdrawn", {"section_code": section.code, "credit_code": bid.credit_code,
                                                        "reason": detail}, now=now)
    await emit(session, "bidding.bidder.defaulted", BidderDefaulted(
        project_code=project.code, section_code=section.code, credit_code=bid.credit_code,
        site_code=project.site_code, reason="withdrew_after_deadline", detail=detail, occurred_at=now),
        tenant=project.tenant, about=project.code)


async def finish(session: AsyncSession, project: Project, *, now: datetime, actor: str,
                 settings: BiddingSettings) -> None:
    """Close the opening: void unrevealed bids, judge validity, screen for collusion, publish the record."""
    if project.status != "opening":
        raise ProjectStatusForbids(f"Project {project.code} is {project.status}, not opening.")
    pending = (await session.execute(select(EscrowRecovery.id).where(
        EscrowRecovery.project_id == project.id, EscrowRecovery.status == "collecting"))).first()
    if pending:
        raise RecoveryPending("An escrow recovery is still collecting shares.")
    opened_sections = [s for s in project.sections if s.outcome != "failed"]
    counted_of = {s.id: await bid_rules.counted(session, s) for s in opened_sections}
    if now < window_end(project, settings) and any(b.reveal_status == "sealed" for bids in counted_of.values()
                                                   for b in bids):
        raise WindowOpen("The decryption window is still open.")
    await _claim(session, project, "opened_at", now=now, was="opening")
    names = await _names(session, project)
    excused = await _excused(session, project)
    signed_in = await _signed_in(session, project)
    rows: list[dict[str, Any]] = []
    alive: list[str] = []
    run = await collusion.opening_run(session, project, now=now, actor=actor, settings=settings)
    for section in opened_sections:
        counted = counted_of[section.id]
        for bid in counted:
            if bid.reveal_status == "sealed":
                bid.reveal_status, bid.validity = "void", "void"
                if bid.id in excused:
                    bid.invalid_reason = "not decrypted: the backup decryption was abandoned"
                else:
                    bid.invalid_reason = DEEMED_WITHDRAWN
                    await _deemed_withdrawn(session, project, section, bid,
                                            signed_in=(section.id, bid.credit_code) in signed_in, now=now)
            elif bid.validity is None:
                if bid.price is not None and bid.price > section.budget:
                    bid.validity, bid.invalid_reason = "invalid", "price above the section's ceiling"
                elif not bid.deposit_secured:
                    bid.validity, bid.invalid_reason = "invalid", "bid deposit not secured"
                else:
                    bid.validity = "valid"
            rows.append({"section_code": section.code, "credit_code": bid.credit_code,
                         "name": names.get((section.id, bid.credit_code), ""),
                         "price": None if bid.price is None else str(bid.price), "duration_days": bid.duration_days,
                         "deposit_secured": bid.deposit_secured, "validity": bid.validity, "reason": bid.invalid_reason})
        await collusion.screen_section(session, project, section, counted, now=now, run=run,
                                       t=collusion.thresholds(settings))
        short = bid_rules.too_few_valid(project, sum(1 for b in counted if b.validity == "valid"))
        if short is not None:
            section.outcome, section.failure_reason = "failed", short
            await record(session, project, "section_failed", {"section_code": section.code,
                                                              "reason": section.failure_reason}, now=now)
        else:
            alive.append(section.code)
    project.opened_at = now  # already set by the claim; kept in step on the loaded object
    await record(session, project, "opening_closed", {"rows": rows}, now=now)
    if not alive:
        await transition(session, project, "opened", now=now, actor=actor)
        await fail(session, project, now=now, actor=actor, reason="no section has enough valid bids")
        return
    await transition(session, project, "opened", now=now, actor=actor)
    await emit(session, "bidding.project.opened", ProjectStatusChanged(
        code=project.code, site_code=project.site_code, status="opened", occurred_at=now,
        failed_section_codes=[s.code for s in project.sections if s.outcome == "failed"]),
        tenant=project.tenant, about=project.code)


async def respond(session: AsyncSession, project: Project, *, credit_code: str, kind: str, text: str, now: datetime,
                  by: Principal, settings: BiddingSettings) -> OpeningResponse:
    """A bidder confirms the record or objects: at the opening, or during the publicity of candidates."""
    if project.status == "opened":
        assert project.opened_at is not None
        if now >= project.opened_at + minutes(project.confirmation_minutes, settings):
            raise WindowClosed("The confirmation window has closed.")
        stage = "opening"
    elif project.status == "publicised" and kind == "objection":
        assert project.publicity_ends_at is not None
        if now >= project.publicity_ends_at:
            raise WindowClosed("The publicity period has ended.")
        stage = "publicity"
    else:
        raise NotAcceptingResponses(f"Project {project.code} takes no {kind} while {project.status}.")
    if kind == "objection" and not text.strip():
        raise Unprocessable.field("text", "an objection states its grounds")
    registrations = (await session.execute(select(Registration).where(
        Registration.project_id == project.id, Registration.credit_code == credit_code))).scalars().all()
    if not registrations:
        raise NotRegistered(f"{credit_code} did not bid in {project.code}.")
    section = next(s for s in project.sections if s.id == registrations[0].section_id)
    await registration_of(session, section, credit_code, by)
    if kind == "confirm":
        done = (await session.execute(select(OpeningResponse.id).where(
            OpeningResponse.project_id == project.id, OpeningResponse.credit_code == credit_code,
            OpeningResponse.kind == "confirm"))).first()
        if done:
            raise AlreadyConfirmed("This bidder confirmed the record already.")
    response = OpeningResponse(project_id=project.id, stage=stage, credit_code=credit_code, kind=kind, text=text, at=now)
    session.add(response)
    await session.flush()
    if stage == "opening":
        await record(session, project, kind, {"credit_code": credit_code, "text": text, "response_id": response.id},
                     now=now)
    return response


async def answer(session: AsyncSession, project: Project, response_id: int, *, text: str, now: datetime,
                 actor: str) -> OpeningResponse:
    """Answer an objection and record the answer."""
    response = await session.get(OpeningResponse, response_id)
    if response is None or response.project_id != project.id or response.kind != "objection":
        raise ObjectionNotFound(f"No objection {response_id} in {project.code}.")
    if response.answer is not None:
        raise AlreadyAnswered("This objection was answered already.")
    response.answer, response.answered_at, response.answered_by = text, now, actor
    await session.flush()
    if response.stage == "opening":
        await record(session, project, "objection_answered", {"response_id": response.id, "answer": text}, now=now)
    return response


async def unanswered(session: AsyncSession, project: Project, stage: str) -> int:
    """How many objections of a stage still wait for an answer."""
    return len((await session.execute(select(OpeningResponse.id).where(
        OpeningResponse.project_id == project.id, OpeningResponse.stage == stage,
        OpeningResponse.kind == "objection", OpeningResponse.answer.is_(None)))).all())


def ensure_opened(project: Project) -> None:
    """409 while nothing of the bids may be shown: before the opening, and for direct contracts."""
    if project.status in BEFORE_OPENING or project.method == "direct":
        raise NotOpened("Nothing of the bids is shown before the opening.")


async def record_rows(session: AsyncSession, project: Project) -> list[dict[str, Any]]:
    """The rows of the published opening record; 409 while the opening still runs."""
    closed = (await session.execute(select(OpeningRecord).where(
        OpeningRecord.project_id == project.id, OpeningRecord.kind == "opening_closed"))).scalar_one_or_none()
    if closed is None:
        raise OpeningRunning("The opening is still running; follow the stream.")
    rows: list[dict[str, Any]] = closed.data["rows"]
    return rows


async def opened_bids(session: AsyncSession, project: Project) -> list[Bid]:
    """The counted bids of an opened tender, by section, rank and price; 409 while the window is open.

    A bid decrypted early must not show its price while others may still decide to decrypt theirs.
    """
    if project.status == "opening":
        raise OpeningRunning("The prices are published when the decryption window closes; follow the stream.")
    return list((await session.execute(select(Bid).where(Bid.project_id == project.id, Bid.status == "active")
                                       .order_by(Bid.section_id, Bid.rank, Bid.price))).scalars())


async def entries_after(session: AsyncSession, project_id: int, seq: int) -> tuple[list[OpeningRecord], str]:
    """The opening record's entries numbered after ``seq``, and the project's status as they were read."""
    entries = (await session.execute(select(OpeningRecord).where(
        OpeningRecord.project_id == project_id, OpeningRecord.seq > seq).order_by(OpeningRecord.seq))).scalars().all()
    status = (await session.execute(select(Project.status).where(Project.id == project_id))).scalar_one()
    return list(entries), status


async def responses_of(session: AsyncSession, project: Project) -> list[OpeningResponse]:
    """Every confirmation and objection of a project, in the order they came."""
    return list((await session.execute(select(OpeningResponse).where(OpeningResponse.project_id == project.id)
                                       .order_by(OpeningResponse.id))).scalars())
