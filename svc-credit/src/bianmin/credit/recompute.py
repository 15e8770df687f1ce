"""The batch recompute of every enterprise's color, and the daily worker that runs it once a day.

Batch: enterprises are read in chunks of ``CHUNK`` ids with plain column queries (no ORM objects),
their confirmed records and approved bonuses loaded in one query each per chunk, colors computed in
Python, and only differences written, in bulk: score updates and color updates in one executemany
each, ``color_change`` rows and their outbox events in one insert each. Each chunk is one
transaction that holds its enterprises while it works (``FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` write lock), so a record confirmed meanwhile waits for the chunk and then
recodes its enterprise from the batch's result, never the other way round.

Daily: at or after ``recompute_at`` (Shanghai time) each replica tries to insert the run row of
today's date; the unique date lets exactly one insert win, and that replica runs the batch. A
winner that dies leaves its row unfinished; when its heartbeat is older than ``STALE`` another
replica takes the run over (the batch writes only differences, so running it again is harmless).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bianmin.contracts.events.credit import ColorChanged
from bianmin.credit.domain.coding import write_changes
from bianmin.credit.domain.ruleset import rules_on
from bianmin.credit.domain.scoring import BonusFact, RecordFact, compute
from bianmin.credit.models import BadRecord, BonusItem, Enterprise, RecomputeRun
from bianmin.kit.clock import Clock
from bianmin.kit.workdays import SHANGHAI, local_date

log = logging.getLogger("bianmin.credit.recompute")
CHUNK = 2000
STALE = timedelta(minutes=30)
OWNER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class BatchResult:
    """What one batch recompute did."""

    day: date
    rule_version: int
    enterprises: int = 0
    rescored: int = 0
    changes: int = 0


async def _chunk_facts(session: AsyncSession, low: int, high: int) -> tuple[
        dict[int, list[RecordFact]], dict[int, list[BonusFact]]]:
    records: dict[int, list[RecordFact]] = defaultdict(list)
    rows = await session.execute(select(
        BadRecord.id, BadRecord.enterprise_id, BadRecord.kind, BadRecord.severity, BadRecord.points,
        BadRecord.publication_months, BadRecord.confirmed_on, BadRecord.ended_on, BadRecord.status,
    ).where(BadRecord.enterprise_id.between(low, high), BadRecord.confirmed_on.is_not(None)))
    for r in rows:
        records[r.enterprise_id].append(RecordFact(
            id=r.id, kind=r.kind, severity=r.severity, points=r.points, publication_months=r.publication_months,
            confirmed_on=r.confirmed_on, ended_on=r.ended_on, ended_as=r.status if r.ended_on else None))
    bonuses: dict[int, list[BonusFact]] = defaultdict(list)
    rows = await session.execute(select(
        BonusItem.id, BonusItem.enterprise_id, BonusItem.kind, BonusItem.points, BonusItem.approved_on,
        BonusItem.valid_until,
    ).where(BonusItem.enterprise_id.between(low, high), BonusItem.approved_on.is_not(None)))
    for b in rows:
        bonuses[b.enterprise_id].append(BonusFact(id=b.id, kind=b.kind, points=b.points, approved_on=b.approved_on,
                                                  valid_until=b.valid_until))
    return records, bonuses


async def recompute_all(sessions: async_sessionmaker[AsyncSession], *, now: datetime, trigger: str = "daily",
                        on_chunk: asyncio.Event | None = None) -> BatchResult:
    """Recompute every enterprise's color for today; write and announce only what changed."""
    day = local_date(now)
    async with sessions() as session:
        rules = await rules_on(session, day)
        await session.commit()
    result = BatchResult(day=day, rule_version=rules.version)
    after = 0
    while True:
        async with sessions() as session:
            query = (select(Enterprise.id, Enterprise.credit_code, Enterprise.name, Enterprise.color, Enterprise.score,
                            Enterprise.rule_version)
                     .where(Enterprise.id > after).order_by(Enterprise.id).limit(CHUNK))
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update()
            rows = (await session.execute(query)).all()
            if not rows:
                break
            after = rows[-1].id
            records, bonuses = await _chunk_facts(session, rows[0].id, after)
            quiet: list[dict[str, object]] = []
            changed: list[dict[str, object]] = []
            changes: list[dict[str, Any]] = []
            payloads: list[ColorChanged] = []
            for row in rows:
                outcome = compute(records.get(row.id, []), bonuses.get(row.id, []), rules.body,
                                  rule_version=rules.version, as_of=day)
                if outcome.color == row.color:
                    if outcome.score != row.score or outcome.rule_version != row.rule_version:
                        quiet.append({"eid": row.id, "score": outcome.score, "version": outcome.rule_version})
                    continue
                reason = f"{trigger} recompute: {outcome.summary()}"[:4000]
                changed.append({"eid": row.id, "color": outcome.color, "score": outcome.score,
                                "version": outcome.rule_version})
                changes.append({"enterprise_id": row.id, "old_color": row.color, "new_color": outcome.color,
                                "score": outcome.score, "rule_version": outcome.rule_version, "reason": reason,
                                "trigger": trigger, "changed_at": now})
                payloads.append(ColorChanged(
                    credit_code=row.credit_code, name=row.name or "", old_color=row.color, new_color=outcome.color,
                    score=outcome.score, rule_version=outcome.rule_version, reason=reason, changed_at=now))
            table = Enterprise.__table__
            if quiet:
                await session.execute(update(table).where(table.c.id == bindparam("eid")).values(
                    score=bindparam("score"), rule_version=bindparam("version"), coded_at=now), quiet)
            if changed:
                await session.execute(update(table).where(table.c.id == bindparam("eid")).values(
                    color=bindparam("color"), score=bindparam("score"), rule_version=bindparam("version"),
                    coded_at=now, updated_at=now), changed)
                await write_changes(session, changes, payloads, now=now)
            result.rescored += len(quiet)
            result.changes += len(changed)
            result.enterprises += len(rows)
            await session.commit()
        if on_chunk is not None:
            on_chunk.set()
    return result


async def claim_day(sessions: async_sessionmaker[AsyncSession], day: date, *, now: datetime,
                    owner: str = OWNER) -> bool:
    """Whether this replica runs ``day``'s recompute: its insert won, or it took over a dead run."""
    async with sessions() as session:
        try:
            session.add(RecomputeRun(run_date=day, owner=owner, started_at=now, heartbeat_at=now))
            await session.commit()
            return True
        except IntegrityError:
            await session.rollback()
        taken = await session.execute(
            update(RecomputeRun).where(RecomputeRun.run_date == day, RecomputeRun.finished_at.is_(None),
                                       RecomputeRun.heartbeat_at < now - STALE)
            .values(owner=owner, heartbeat_at=now))
        await session.commit()
        return bool(taken.rowcount)


async def run_day(sessions: async_sessionmaker[AsyncSession], clock: Clock, *, owner: str = OWNER) -> BatchResult | None:
    """Run today's recompute when this replica wins the day; None when another replica has it."""
    now = clock.now()
    day = local_date(now)
    if not await claim_day(sessions, day, now=now, owner=owner):
        return None
    beat = asyncio.Event()

    async def heartbeat() -> None:
        while True:
            await beat.wait()
            beat.clear()
            async with sessions() as session:
                await session.execute(update(RecomputeRun).where(RecomputeRun.run_date == day)
                                      .values(heartbeat_at=clock.now()))
                await session.commit()

    beating = asyncio.create_task(heartbeat())
    try:
        result = await recompute_all(sessions, now=now, trigger="daily", on_chunk=beat)
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating
    async with sessions() as session:
        await session.execute(update(RecomputeRun).where(RecomputeRun.run_date == day).values(
            finished_at=clock.now(), enterprises=result.enterprises, changes=result.changes))
        await session.commit()
    log.info("daily recompute done", extra={"day": str(day), "enterprises": result.enterprises,
                                            "changes": result.changes})
    return result


def due(now: datetime, at: time) -> bool:
    """Whether today's run is due: the Shanghai time of day has reached ``at``."""
    return now.astimezone(SHANGHAI).time() >= at


async def daily_worker(app: FastAPI) -> None:
    """Run the recompute once per day on one replica; look again every ``recompute_poll_seconds``."""
    settings = app.state.settings
    if not settings.recompute_enabled:
        return
    done: date | None = None
    while True:
        now = app.state.clock.now()
        try:
            if (done != local_date(now) and due(now, settings.recompute_at)
                    and await run_day(app.state.db.sessionmaker, app.state.clock) is not None):
                done = local_date(now)
        except Exception:
            log.exception("daily recompute failed; it will be tried again")
        await asyncio.sleep(settings.recompute_poll_seconds)
