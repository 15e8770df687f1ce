"""Bad records and their decisions, bonus items, and credit-repair applications.

Recorders (``credit_recorder`` staff, or a key with ``credit:write``) record bad behaviours and
bonus items and file repair applications; reviewers (``credit_reviewer`` staff signed in with a
second factor, or a key with ``credit:review``) confirm, revoke, approve and reject, never what
they recorded or submitted themselves (``separation_of_duties``, issue 19). A record belongs to the site
that recorded it (the caller's tenant, ``*`` for district keys); a township reviewer decides only
its own township's records. Bonus items belong to no site, so only district reviewers decide them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.credit.api.deps import RECORD, STAFF_READ, actor, ensure_reviewer, site_of
from bianmin.credit.api.deps import REVIEW as REVIEWERS
from bianmin.credit.api.views import bonus_view, record_read, record_view
from bianmin.credit.domain import records, repairs
from bianmin.credit.domain.enterprises import credit_code_of, get_enterprise
from bianmin.credit.schemas import BonusCreate, BonusRead, DecisionNote, RecordCreate, RecordRead, RepairCreate, RepairRead
from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, district_only, require_scopes
from bianmin.kit.pagination import Page, PageDep
from bianmin.kit.paths import RowId

router = APIRouter(tags=["records"])
WRITE = [require_scopes("credit:write"), RECORD]
REVIEW = [require_scopes("credit:review"), REVIEWERS]
# A bonus item belongs to no site (an award counts district-wide), so only a district reviewer decides it.
DISTRICT_REVIEW = [*REVIEW, district_only()]
DECIDE = problem_responses(401, 403, 404, 409, 422)


@router.post("/enterprises/{code}/records", status_code=201, summary="Record a bad behaviour", dependencies=WRITE,
             responses=problem_responses(401, 403, 404, 422))
async def add_record(code: str, body: RecordCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                     clock: ClockDep) -> RecordRead:
    """Record a bad behaviour, pending a reviewer's confirmation."""
    enterprise = await get_enterprise(session, code)
    record = await records.add_record(session, enterprise, kind=body.kind, occurred_on=body.occurred_on,
                                      evidence=body.evidence, site_code=site_of(who), now=clock.now(),
                                      by=actor(who), publication_months=body.publication_months)
    return await idem.finish(session, record_read(await records.detail(session, record)))


@router.get("/enterprises/{code}/records", dependencies=[STAFF_READ], summary="An enterprise's bad records",
            responses=problem_responses(401, 404, 422))
async def list_records(code: str, session: ReadSessionDep, page: PageDep,
                       status: Annotated[str | None, Query(pattern="^(pending|confirmed|revoked|repaired)$")] = None,
                       ) -> Page[RecordRead]:
    """Every bad record of an enterprise, newest first."""
    enterprise = await get_enterprise(session, code)
    rows, cursor = await records.list_records(session, enterprise, page, status=status)
    return Page[RecordRead](items=[record_view(r, enterprise.credit_code) for r in rows], next_cursor=cursor)


@router.get("/records", dependencies=[STAFF_READ], summary="Bad records of every enterprise", responses=problem_responses(401, 422))
async def list_all_records(session: ReadSessionDep, who: PrincipalDep, page: PageDep,
                           status: Annotated[str | None, Query(pattern="^(pending|confirmed|revoked|repaired)$")] = None,
                           kind: Annotated[str | None, Query(max_length=50)] = None,
                           source: Annotated[str | None, Query(pattern="^(manual|event)$")] = None,
                           ) -> Page[RecordRead]:
    """Records across enterprises, oldest first (a reviewer's queue with ``status=pending``); a
    township key sees its own township's records."""
    rows, cursor = await records.list_all_records(session, page, site_code=None if who.district_wide else site_of(who),
                                                  status=status, kind=kind, source=source)
    return Page[RecordRead](items=[record_view(r, c) for r, c in rows], next_cursor=cursor)


@router.get("/records/{record_id}", dependencies=[STAFF_READ], summary="Read a record with its history",
            responses=problem_responses(401, 404))
async def read_record(record_id: RowId, session: ReadSessionDep) -> RecordRead:
    """One bad record and every step of its life."""
    return record_read(await records.detail(session, await records.get_record(session, record_id)))


@router.post("/records/{record_id}/confirm", summary="Confirm a pending record", dependencies=REVIEW, responses=DECIDE)
async def confirm(record_id: RowId, body: DecisionNote, session: SessionDep, who: PrincipalDep,
                  clock: ClockDep) -> RecordRead:
    """Confirm a record: it starts counting and its publication period starts today."""
    record = await records.get_record(session, record_id)
    ensure_reviewer(who, record.site_code)
    await records.confirm_record(session, record, now=clock.now(), by=actor(who), note=body.note)
    await session.commit()
    return record_read(await records.detail(session, record))


@router.post("/records/{record_id}/revoke", summary="Revoke a record", dependencies=REVIEW, responses=DECIDE)
async def revoke(record_id: RowId, body: DecisionNote, session: SessionDep, who: PrincipalDep,
                 clock: ClockDep) -> RecordRead:
    """Revoke a pending or confirmed record (with the reason); it no longer counts from today."""
    record = await records.get_record(session, record_id)
    ensure_reviewer(who, record.site_code)
    await records.revoke_record(session, record, now=clock.now(), by=actor(who), note=body.note)
    await session.commit()
    return record_read(await records.detail(session, record))


@router.post("/records/{record_id}/repairs", status_code=201, summary="Apply for credit repair", dependencies=WRITE,
             responses=DECIDE)
async def apply_repair(record_id: RowId, body: RepairCreate, session: SessionDep, who: PrincipalDep,
                       idem: IdempotencyDep, clock: ClockDep) -> RepairRead:
    """File a repair application once the record's minimum publication period has passed."""
    record = await records.get_record(session, record_id)
    application = await repairs.apply(session, record, evidence=body.evidence, commitment=body.commitment,
                                      now=clock.now(), by=actor(who))
    return await idem.finish(session, RepairRead.model_validate(application))


@router.get("/repairs", dependencies=[STAFF_READ], summary="Repair applications", responses=problem_responses(401, 422))
async def list_repairs(session: ReadSessionDep, page: PageDep,
                       status: Annotated[str | None, Query(pattern="^(submitted|approved|rejected)$")] = None,
                       ) -> Page[RepairRead]:
    """Repair applications, oldest first (a reviewer's queue with ``status=submitted``)."""
    rows, cursor = await repairs.list_applications(session, page, status=status)
    return Page[RepairRead](items=[RepairRead.model_validate(r) for r in rows], next_cursor=cursor)


@router.get("/repairs/{application_id}", dependencies=[STAFF_READ], summary="Read a repair application",
            responses=problem_responses(401, 404))
async def read_repair(application_id: RowId, session: ReadSessionDep) -> RepairRead:
    """One repair application."""
    return RepairRead.model_validate(await repairs.get_application(session, application_id))


async def _decide_repair(application_id: RowId, approve: bool, body: DecisionNote, session: SessionDep,
                         who: PrincipalDep, clock: ClockDep) -> RepairRead:
    """Approve or reject an application of the caller's own township (or any, for a district key)."""
    application = await repairs.get_application(session, application_id)
    record = await records.get_record(session, application.record_id)
    ensure_reviewer(who, record.site_code)
    await repairs.decide(session, application, approve=approve, note=body.note, now=clock.now(), by=actor(who))
    await session.commit()
    return RepairRead.model_validate(application)


@router.post("/repairs/{application_id}/approve", summary="Approve a repair", dependencies=REVIEW, responses=DECIDE)
async def approve_repair(application_id: RowId, body: DecisionNote, session: SessionDep, who: PrincipalDep,
                         clock: ClockDep) -> RepairRead:
    """Approve: the record is repaired and stops counting from today."""
    return await _decide_repair(application_id, True, body, session, who, clock)


@router.post("/repairs/{application_id}/reject", summary="Reject a repair", dependencies=REVIEW, responses=DECIDE)
async def reject_repair(application_id: RowId, body: DecisionNote, session: SessionDep, who: PrincipalDep,
                        clock: ClockDep) -> RepairRead:
    """Reject, with the reason; the record keeps counting."""
    return await _decide_repair(application_id, False, body, session, who, clock)


@router.post("/enterprises/{code}/bonuses", status_code=201, summary="Submit a bonus item", dependencies=WRITE,
             responses=problem_responses(401, 403, 404, 422))
async def add_bonus(code: str, body: BonusCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                    clock: ClockDep) -> BonusRead:
    """Submit a bonus item (an award, an honour) for a reviewer's decision."""
    enterprise = await get_enterprise(session, code)
    bonus = await records.add_bonus(session, enterprise, kind=body.kind, evidence=body.evidence,
                                    valid_until=body.valid_until, now=clock.now(), by=actor(who))
    return await idem.finish(session, bonus_view(bonus, enterprise.credit_code))


@router.get("/enterprises/{code}/bonuses", dependencies=[STAFF_READ], summary="An enterprise's bonus items",
            responses=problem_responses(401, 404))
async def list_bonuses(code: str, session: ReadSessionDep) -> list[BonusRead]:
    """Every bonus item of an enterprise, newest first."""
    enterprise = await get_enterprise(session, code)
    return [bonus_view(b, enterprise.credit_code) for b in await records.list_bonuses(session, enterprise)]


@router.get("/bonuses", dependencies=[STAFF_READ], summary="Bonus items of every enterprise", responses=problem_responses(401, 422))
async def list_all_bonuses(session: ReadSessionDep, page: PageDep,
                           status: Annotated[str | None, Query(pattern="^(submitted|approved|rejected)$")] = None,
                           kind: Annotated[str | None, Query(max_length=50)] = None) -> Page[BonusRead]:
    """Bonus items across enterprises, oldest first (a reviewer's queue with ``status=submitted``)."""
    rows, cursor = await records.list_all_bonuses(session, page, status=status, kind=kind)
    return Page[BonusRead](items=[bonus_view(b, c) for b, c in rows], next_cursor=cursor)


@router.get("/bonuses/{bonus_id}", dependencies=[STAFF_READ], summary="Read a bonus item", responses=problem_responses(401, 404))
async def read_bonus(bonus_id: RowId, session: ReadSessionDep) -> BonusRead:
    """One bonus item."""
    bonus = await records.get_bonus(session, bonus_id)
    return bonus_view(bonus, await credit_code_of(session, bonus.enterprise_id))


@router.post("/bonuses/{bonus_id}/approve", summary="Approve a bonus item", dependencies=DISTRICT_REVIEW, responses=DECIDE)
async def approve_bonus(bonus_id: RowId, body: DecisionNote, session: SessionDep, who: PrincipalDep,
                        clock: ClockDep) -> BonusRead:
    """Approve: the bonus counts from today through its end date."""
    bonus = await records.get_bonus(session, bonus_id)
    ensure_reviewer(who, "*")
    await records.decide_bonus(session, bonus, approve=True, now=clock.now(), by=actor(who), note=body.note)
    await session.commit()
    return bonus_view(bonus, await credit_code_of(session, bonus.enterprise_id))


@router.post("/bonuses/{bonus_id}/reject", summary="Reject a bonus item", dependencies=DISTRICT_REVIEW, responses=DECIDE)
async def reject_bonus(bonus_id: RowId, body: DecisionNote, session: SessionDep, who: PrincipalDep,
                       clock: ClockDep) -> BonusRead:
    """Reject, with the reason."""
    bonus = await records.get_bonus(session, bonus_id)
    ensure_reviewer(who, "*")
    await records.decide_bonus(session, bonus, approve=False, now=clock.now(), by=actor(who), note=body.note)
    await session.commit()
    return bonus_view(bonus, await credit_code_of(session, bonus.enterprise_id))
