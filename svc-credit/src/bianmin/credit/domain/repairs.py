"""Credit repair (信用修复): an enterprise applies for one record, a reviewer decides.

Decisions (after the NDRC credit-repair rules in DOMAIN.md):
- Only a confirmed record still in its publication period can be repaired; one open application
  per record at a time (another is a 409).
- The application is allowed once the severity's minimum period (``repair_min_months`` of the
  rules in force, counted from the confirmation date) has passed — minor records at once by
  default — and it must carry the correction evidence and the public commitment (信用承诺).
- Approval ends the record as ``repaired`` from that day (it stops counting, the color is
  recomputed, the record's history names the application); rejection needs a reason.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.credit.domain.coding import record_fact
from bianmin.credit.domain.errors import RecordExpired, RecordNotConfirmed, RepairDecided, RepairNotFound, RepairOpen, RepairTooEarly
from bianmin.credit.domain.records import MAX_EVIDENCE, ensure_other, mark_repaired
from bianmin.credit.domain.ruleset import rules_at
from bianmin.credit.domain.scoring import add_months, record_counts
from bianmin.credit.models import BadRecord, RepairApplication
from bianmin.kit.errors import Unprocessable
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.workdays import local_date


async def get_application(session: AsyncSession, application_id: int) -> RepairApplication:
    """A repair application by id; 404 when unknown."""
    application = await session.get(RepairApplication, application_id)
    if application is None:
        raise RepairNotFound(f"There is no repair application {application_id}.")
    return application


async def list_applications(session: AsyncSession, page: PageParams, *,
                            status: str | None = None) -> tuple[list[RepairApplication], str | None]:
    """A page of repair applications, oldest first (a reviewer's queue with ``status=submitted``)."""
    query = select(RepairApplication)
    if status is not None:
        query = query.where(RepairApplication.status == status)
    return await paginate(session, query, page, keys=[RepairApplication.id])


async def apply(session: AsyncSession, record: BadRecord, *, evidence: str, commitment: str, now: datetime,
                by: str) -> RepairApplication:
    """File a repair application for a confirmed record whose minimum period has passed."""
    for name, text in (("evidence", evidence), ("commitment", commitment)):
        if not text.strip() or len(text) > MAX_EVIDENCE:
            raise Unprocessable.field(name, f"must be 1 to {MAX_EVIDENCE} characters")
    today = local_date(now)
    if record.status != "confirmed" or record.confirmed_on is None:
        raise RecordNotConfirmed(f"Record {record.id} is {record.status}; only a confirmed record can be repaired.")
    if record_counts(record_fact(record), today) is not None:
        raise RecordExpired(f"Record {record.id} no longer counts; there is nothing to repair.")
    rules = await rules_at(session, now)
    months = rules.body.repair_min_months[record.severity]  # type: ignore[index]
    earliest = add_months(record.confirmed_on, months)
    if today < earliest:
        raise RepairTooEarly(f"A {record.severity} record can be repaired after {months} months of publication, "
                             f"from {earliest}.")
    open_one = await session.scalar(select(RepairApplication.id).where(
        RepairApplication.record_id == record.id, RepairApplication.status == "submitted"))
    if open_one is not None:
        raise RepairOpen(f"Repair application {open_one} for this record awaits its decision.")
    application = RepairApplication(record_id=record.id, evidence=evidence.strip(), commitment=commitment.strip(),
                                    status="submitted", submitted_at=now, submitted_by=by)
    session.add(application)
    await session.flush()
    return application


async def decide(session: AsyncSession, application: RepairApplication, *, approve: bool, note: str,
                 now: datetime, by: str) -> RepairApplication:
    """Approve (the record is repaired) or reject (with a reason) a submitted application."""
    if application.status != "submitted":
        raise RepairDecided(f"Repair application {application.id} is already {application.status}.")
    ensure_other(application.submitted_by, by, f"repair application {application.id}")
    if not approve and not note.strip():
        raise Unprocessable.field("note", "a rejection needs its reason")
    application.status = "approved" if approve else "rejected"
    application.decided_at, application.decided_by, application.decision_note = now, by, note.strip()
    if approve:
        record = await session.get(BadRecord, application.record_id)
        assert record is not None
        await mark_repaired(session, record, now=now, by=by,
                            note=f"credit repair application {application.id} approved. {note.strip()}".strip())
    await session.flush()
    return application
