"""Giving enterprises their color: load their facts, compute, store a change and announce it.

A change is stored as a ``color_change`` row with its reason and emitted as
``credit.enterprise.color_changed`` in the same transaction (the outbox), so bidding and guarantee
never miss one and never hear of one that was rolled back. The first colors of a CSV import's
thousands of new enterprises are written in bulk: the same rows and outbox events as
:func:`bianmin.kit.events.emit` writes, in one statement each instead of one per enterprise. Only a change of *color* is an event;
a score that moves inside a band updates the enterprise row quietly.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.credit import ColorChanged
from bianmin.contracts.registry import spec_for_subject
from bianmin.credit.domain.ruleset import Rules, rules_on
from bianmin.credit.domain.scoring import BonusFact, Outcome, RecordFact, compute
from bianmin.credit.models import BadRecord, BonusItem, ColorChange, Enterprise
from bianmin.kit.events import emit
from bianmin.kit.events.outbox import PENDING_FLAG
from bianmin.kit.logging import traceparent_var
from bianmin.kit.tables import outbox_event
from bianmin.kit.workdays import local_date

SUBJECT = "credit.enterprise.color_changed"


def record_fact(row: BadRecord) -> RecordFact:
    """The computation's view of a bad record row."""
    return RecordFact(id=row.id, kind=row.kind, severity=row.severity, points=row.points,
                      publication_months=row.publication_months, confirmed_on=row.confirmed_on,
                      ended_on=row.ended_on, ended_as=row.status if row.ended_on is not None else None)


def bonus_fact(row: BonusItem) -> BonusFact:
    """The computation's view of a bonus row."""
    return BonusFact(id=row.id, kind=row.kind, points=row.points, approved_on=row.approved_on,
                     valid_until=row.valid_until)


async def explain(session: AsyncSession, enterprise: Enterprise, *, as_of: date) -> Outcome:
    """The color of one enterprise on a date, with every record and rule behind it."""
    rules = await rules_on(session, as_of)
    records = (await session.scalars(select(BadRecord).where(BadRecord.enterprise_id == enterprise.id))).all()
    bonuses = (await session.scalars(select(BonusItem).where(BonusItem.enterprise_id == enterprise.id))).all()
    return compute([record_fact(r) for r in records], [bonus_fact(b) for b in bonuses], rules.body,
                   rule_version=rules.version, as_of=as_of)


async def apply_outcome(session: AsyncSession, enterprise: Enterprise, outcome: Outcome, *, now: datetime,
                        trigger: str, reason: str) -> ColorChange | None:
    """Store an outcome on the enterprise; a new color is recorded and announced, the change returned."""
    old = enterprise.color
    enterprise.score = outcome.score
    enterprise.rule_version = outcome.rule_version
    enterprise.coded_at = now
    if old == outcome.color:
        return None
    enterprise.color = outcome.color
    enterprise.updated_at = now
    change = ColorChange(enterprise_id=enterprise.id, old_color=old, new_color=outcome.color,
                         score=outcome.score, rule_version=outcome.rule_version,
                         reason=f"{reason}: {outcome.summary()}"[:4000], trigger=trigger, changed_at=now)
    session.add(change)
    await emit(session, SUBJECT, ColorChanged(
        credit_code=enterprise.credit_code, name=enterprise.name or "", old_color=old,  # type: ignore[arg-type]
        new_color=outcome.color, score=outcome.score, rule_version=outcome.rule_version,
        reason=change.reason, changed_at=now), about=enterprise.credit_code)
    return change


async def recode(session: AsyncSession, enterprise: Enterprise, *, now: datetime, trigger: str,
                 reason: str) -> ColorChange | None:
    """Recompute one enterprise now (after a record changed) and store the result."""
    await session.flush()
    outcome = await explain(session, enterprise, as_of=local_date(now))
    change = await apply_outcome(session, enterprise, outcome, now=now, trigger=trigger, reason=reason)
    await session.flush()
    return change


async def announce_first_colors(session: AsyncSession, enterprises: list[Enterprise], outcome: Outcome, *,
                                now: datetime) -> None:
    """Give new enterprises their first color: bulk rows and outbox events, a few statements in all."""
    if not enterprises:
        return
    reason = f"enterprise registered: {outcome.summary()}"
    for enterprise in enterprises:
        enterprise.color, enterprise.score = outcome.color, outcome.score
        enterprise.rule_version, enterprise.coded_at = outcome.rule_version, now
    await session.flush()
    changes = [{"enterprise_id": e.id, "old_color": None, "new_color": outcome.color, "score": outcome.score,
                "rule_version": outcome.rule_version, "reason": reason, "trigger": "registered", "changed_at": now}
               for e in enterprises]
    payloads = [ColorChanged(credit_code=e.credit_code, name=e.name or "", old_color=None, new_color=outcome.color,
                             score=outcome.score, rule_version=outcome.rule_version, reason=reason, changed_at=now)
                for e in enterprises]
    await write_changes(session, changes, payloads, now=now)


async def announce_first_colors_bulk(session: AsyncSession, enterprises: list[tuple[int, str, str | None]],
                                     outcome: Outcome, *, now: datetime) -> None:
    """The first colors of enterprises inserted in bulk, given as (id, credit code, name)."""
    if not enterprises:
        return
    reason = f"enterprise registered: {outcome.summary()}"
    changes = [{"enterprise_id": eid, "old_color": None, "new_color": outcome.color, "score": outcome.score,
                "rule_version": outcome.rule_version, "reason": reason, "trigger": "registered", "changed_at": now}
               for eid, _code, _name in enterprises]
    payloads = [ColorChanged(credit_code=code, name=name or "", old_color=None, new_color=outcome.color,
                             score=outcome.score, rule_version=outcome.rule_version, reason=reason, changed_at=now)
                for _eid, code, name in enterprises]
    await write_changes(session, changes, payloads, now=now)


async def write_changes(session: AsyncSession, changes: list[dict[str, Any]], payloads: list[ColorChanged], *,
                        now: datetime) -> None:
    """Insert color-change rows and their outbox events in bulk (what ``emit`` does, one statement in all)."""
    if not changes:
        return
    spec = spec_for_subject(SUBJECT)
    traceparent = traceparent_var.get()
    events = []
    for payload in payloads:
        event = CloudEvent(source=f"/bianmin/{spec.publisher}", type=spec.type, subject=payload.credit_code,
                           dataschema=f"urn:bianmin:event:{SUBJECT}:v1", traceparent=traceparent,
                           data=payload.model_dump(mode="json"))
        events.append({"event_id": event.id, "subject": event.nats_subject, "body": event.model_dump_json(),
                       "headers": {"traceparent": traceparent} if traceparent else {}, "created_at": now,
                       "attempts": 0})
    await session.execute(insert(ColorChange.__table__), changes)
    await session.execute(insert(outbox_event), events)
    session.info[PENDING_FLAG] = True


def initial_outcome(rules: Rules, day: date) -> Outcome:
    """The color of an enterprise without records (every new enterprise starts here)."""
    return compute([], [], rules.body, rule_version=rules.version, as_of=day)

