"""Bad records and bonus items: recorded by clerks or events, decided by reviewers.

Decisions:
- A bad record takes its severity and points from its kind in the rules in force when it is
  recorded (like a penalty decided under the rules of its day), and stores the rule version. Its
  publication period defaults to the kind's and may be set by the clerk within the severity's
  statutory bounds.
- pending → confirmed → repaired | revoked, or pending → revoked; any other move is a 409.
  Confirmation starts the publication period. A revoked record never counted from the day it was
  revoked on; a repaired record stops counting from the repair decision and the history says so.
- Records that consumed events create carry ``source_ref`` (the event's subject and key), unique,
  so the same fact reported twice under different event ids is still one record.
- Separation of duties (issue 19): whoever recorded a record or submitted a bonus item or repair
  application (the acting account, or the key acting alone) may not confirm or decide it.
- Bonus items: submitted → approved | rejected; an approved bonus counts from its approval date
  through ``valid_until``, which may not lie beyond the kind's ``max_valid_months``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.credit.domain.coding import recode
from bianmin.credit.domain.enterprises import credit_code_of
from bianmin.credit.domain.errors import (
    BonusDecided,
    BonusNotFound,
    RecordClosed,
    RecordNotConfirmed,
    RecordNotFound,
    RecordNotPending,
    SeparationOfDuties,
)
from bianmin.credit.domain.rules import PUBLICATION_BOUNDS
from bianmin.credit.domain.ruleset import rules_at
from bianmin.credit.domain.scoring import add_months
from bianmin.credit.models import BadRecord, BonusItem, Enterprise, RecordHistory
from bianmin.kit.errors import Unprocessable
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.workdays import local_date

MAX_EVIDENCE = 4000


async def get_record(session: AsyncSession, record_id: int) -> BadRecord:
    """A bad record by id; 404 when unknown."""
    record = await session.get(BadRecord, record_id)
    if record is None:
        raise RecordNotFound(f"There is no record {record_id}.")
    return record


async def history(session: AsyncSession, record_id: int) -> list[RecordHistory]:
    """A record's steps, oldest first."""
    return list((await session.scalars(select(RecordHistory).where(RecordHistory.record_id == record_id)
                                       .order_by(RecordHistory.id))).all())


@dataclass(frozen=True)
class RecordDetail:
    """A record with what its answer shows beside it: its enterprise's code and its history."""

    record: BadRecord
    credit_code: str
    history: list[RecordHistory]


async def detail(session: AsyncSession, record: BadRecord) -> RecordDetail:
    """A record with its enterprise's code and every step of its life."""
    return RecordDetail(record, await credit_code_of(session, record.enterprise_id), await history(session, record.id))


async def list_records(session: AsyncSession, enterprise: Enterprise, page: PageParams, *,
                       status: str | None = None) -> tuple[list[BadRecord], str | None]:
    """A page of an enterprise's bad records, newest first."""
    query = select(BadRecord).where(BadRecord.enterprise_id == enterprise.id)
    if status is not None:
        query = query.where(BadRecord.status == status)
    return await paginate(session, query, page, keys=[BadRecord.id], descending=True)


async def list_all_records(session: AsyncSession, page: PageParams, *, site_code: str | None = None,
                           status: str | None = None, kind: str | None = None,
                           source: str | None = None) -> tuple[list[tuple[BadRecord, str]], str | None]:
    """A page of (record, credit code) across enterprises, oldest first; ``site_code`` keeps one site's records."""
    query = select(BadRecord, Enterprise.credit_code).join(Enterprise, Enterprise.id == BadRecord.enterprise_id)
    for column, value in ((BadRecord.site_code, site_code), (BadRecord.status, status), (BadRecord.kind, kind),
                          (BadRecord.source, source)):
        if value is not None:
            query = query.where(column == value)
    return await paginate(session, query, page, keys=[BadRecord.id], scalars=False)


async def list_bonuses(session: AsyncSession, enterprise: Enterprise) -> list[BonusItem]:
    """Every bonus item of an enterprise, newest first (a handful each: the list is not paged)."""
    return list((await session.scalars(select(BonusItem).where(BonusItem.enterprise_id == enterprise.id)
                                       .order_by(BonusItem.id.desc()))).all())


async def list_all_bonuses(session: AsyncSession, page: PageParams, *, status: str | None = None,
                           kind: str | None = None) -> tuple[list[tuple[BonusItem, str]], str | None]:
    """A page of (bonus item, credit code) across enterprises, oldest first."""
    query = select(BonusItem, Enterprise.credit_code).join(Enterprise, Enterprise.id == BonusItem.enterprise_id)
    for column, value in ((BonusItem.status, status), (BonusItem.kind, kind)):
        if value is not None:
            query = query.where(column == value)
    return await paginate(session, query, page, keys=[BonusItem.id], scalars=False)


def _step(session: AsyncSession, record: BadRecord, status: str, *, now: datetime, by: str, note: str) -> None:
    record.status = status
    session.add(RecordHistory(record_id=record.id, status=status, at=now, by=by, note=note))


async def add_record(session: AsyncSession, enterprise: Enterprise, *, kind: str, occurred_on: date,
                     evidence: str, site_code: str, now: datetime, by: str, source: str = "manual",
                     source_ref: str | None = None, publication_months: int | None = None,
                     confirm: bool = False) -> BadRecord:
    """Record a bad behaviour, pending (or confirmed at once when the rules say so for an event)."""
    rules = await rules_at(session, now)
    rule = rules.body.kinds.get(kind)
    if rule is None:
        raise Unprocessable.field("kind", f"unknown kind; the rules know {', '.join(sorted(rules.body.kinds))}")
    if occurred_on > local_date(now):
        raise Unprocessable.field("occurred_on", "must not be in the future")
    if not evidence.strip() or len(evidence) > MAX_EVIDENCE:
        raise Unprocessable.field("evidence", f"must be 1 to {MAX_EVIDENCE} characters")
    months = publication_months if publication_months is not None else rule.publication_months
    low, high = PUBLICATION_BOUNDS[rule.severity]
    if not low <= months <= high:
        raise Unprocessable.field("publication_months", f"a {rule.severity} record is published {low} to {high} months")
    record = BadRecord(enterprise_id=enterprise.id, kind=kind, severity=rule.severity, points=rule.points,
                       publication_months=months, occurred_on=occurred_on, evidence=evidence.strip(),
                       source=source, source_ref=source_ref, site_code=site_code, status="pending",
                       rule_version=rules.version, created_at=now, created_by=by)
    session.add(record)
    await session.flush()
    session.add(RecordHistory(record_id=record.id, status="pending", at=now, by=by, note=f"recorded ({source})"))
    if confirm:
        await _confirm(session, record, now=now, by=by, note="confirmed by the rules for this event source")
    await session.flush()
    return record


async def recorded(session: AsyncSession, source_ref: str) -> bool:
    """Whether a fact a consumed event reported (its ``source_ref``) is recorded already."""
    return await session.scalar(select(BadRecord.id).where(BadRecord.source_ref == source_ref)) is not None


async def _enterprise_of(session: AsyncSession, record: BadRecord) -> Enterprise:
    enterprise = await session.get(Enterprise, record.enterprise_id)
    assert enterprise is not None
    return enterprise


def ensure_other(author: str, by: str, what: str) -> None:
    """403 ``separation_of_duties`` when ``by`` (a reviewer) is ``author`` (who recorded or submitted ``what``)."""
    if author == by:
        raise SeparationOfDuties(f"Whoever recorded or submitted {what} may not decide it; another reviewer must.")


async def confirm_record(session: AsyncSession, record: BadRecord, *, now: datetime, by: str, note: str) -> BadRecord:
    """A reviewer other than its recorder confirms a pending record (see :func:`ensure_other`)."""
    if record.status == "pending":
        ensure_other(record.created_by, by, f"record {record.id}")
    return await _confirm(session, record, now=now, by=by, note=note)


async def _confirm(session: AsyncSession, record: BadRecord, *, now: datetime, by: str, note: str) -> BadRecord:
    """Confirm a pending record: its publication period starts today and the color is recomputed."""
    if record.status != "pending":
        raise RecordNotPending(f"Record {record.id} is {record.status}; only a pending record can be confirmed.")
    record.confirmed_on = local_date(now)
    _step(session, record, "confirmed", now=now, by=by, note=note)
    await recode(session, await _enterprise_of(session, record), now=now, trigger="record",
                 reason=f"record #{record.id} ({record.kind}) confirmed")
    return record


async def revoke_record(session: AsyncSession, record: BadRecord, *, now: datetime, by: str, note: str) -> BadRecord:
    """Revoke a pending or confirmed record (decision annulled); it stops counting from today."""
    if record.status not in ("pending", "confirmed"):
        raise RecordClosed(f"Record {record.id} is {record.status} and can no longer be revoked.")
    if not note.strip():
        raise Unprocessable.field("note", "a revocation needs its reason")
    record.ended_on = local_date(now)
    _step(session, record, "revoked", now=now, by=by, note=note.strip())
    await recode(session, await _enterprise_of(session, record), now=now, trigger="record",
                 reason=f"record #{record.id} ({record.kind}) revoked")
    return record


async def mark_repaired(session: AsyncSession, record: BadRecord, *, now: datetime, by: str, note: str) -> BadRecord:
    """End a confirmed record by credit repair; it stops counting from today."""
    if record.status != "confirmed":
        raise RecordNotConfirmed(f"Record {record.id} is {record.status}; only a confirmed record can be repaired.")
    record.ended_on = local_date(now)
    _step(session, record, "repaired", now=now, by=by, note=note)
    await recode(session, await _enterprise_of(session, record), now=now, trigger="repair",
                 reason=f"record #{record.id} ({record.kind}) repaired")
    return record


async def get_bonus(session: AsyncSession, bonus_id: int) -> BonusItem:
    """A bonus item by id; 404 when unknown."""
    bonus = await session.get(BonusItem, bonus_id)
    if bonus is None:
        raise BonusNotFound(f"There is no bonus item {bonus_id}.")
    return bonus


async def add_bonus(session: AsyncSession, enterprise: Enterprise, *, kind: str, evidence: str, valid_until: date,
                    now: datetime, by: str) -> BonusItem:
    """Submit a bonus item for review."""
    rules = await rules_at(session, now)
    rule = rules.body.bonus_kinds.get(kind)
    if rule is None:
        raise Unprocessable.field("kind", f"unknown bonus kind; the rules know {', '.join(sorted(rules.body.bonus_kinds))}")
    today = local_date(now)
    if valid_until < today:
        raise Unprocessable.field("valid_until", "must not be in the past")
    if valid_until > add_months(today, rule.max_valid_months):
        raise Unprocessable.field("valid_until", f"a {kind} bonus is valid at most {rule.max_valid_months} months")
    if not evidence.strip() or len(evidence) > MAX_EVIDENCE:
        raise Unprocessable.field("evidence", f"must be 1 to {MAX_EVIDENCE} characters")
    bonus = BonusItem(enterprise_id=enterprise.id, kind=kind, points=rule.points, evidence=evidence.strip(),
                      valid_until=valid_until, status="submitted", created_at=now, created_by=by)
    session.add(bonus)
    await session.flush()
    return bonus


async def decide_bonus(session: AsyncSession, bonus: BonusItem, *, approve: bool, now: datetime, by: str,
                       note: str) -> BonusItem:
    """Approve or reject a submitted bonus item; an approval recomputes the color."""
    if bonus.status != "submitted":
        raise BonusDecided(f"Bonus item {bonus.id} is already {bonus.status}.")
    ensure_other(bonus.created_by, by, f"bonus item {bonus.id}")
    if not approve and not note.strip():
        raise Unprocessable.field("note", "a rejection needs its reason")
    bonus.status = "approved" if approve else "rejected"
    bonus.decided_by, bonus.decision_note = by, note.strip()
    if approve:
        bonus.approved_on = local_date(now)
        enterprise = await session.get(Enterprise, bonus.enterprise_id)
        assert enterprise is not None
        await recode(session, enterprise, now=now, trigger="bonus", reason=f"bonus #{bonus.id} ({bonus.kind}) approved")
    await session.flush()
    return bonus
