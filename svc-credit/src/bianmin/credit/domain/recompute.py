"""The batch recompute of every enterprise's color, and the run rows that let exactly one replica run each.

Batch: enterprises are read in chunks of ``CHUNK`` ids with Core column queries on the session's
connection (no ORM objects, only the columns the grading needs), their confirmed records and
approved bonuses loaded in one query each per chunk, colors and scores computed in plain Python
over the column tuples (:class:`~bianmin.credit.domain.grading.Grader`; an enterprise without
records or bonuses gets the blank outcome computed once), and only differences written, in bulk:
score updates and color updates in one executemany each, ``color_change`` rows and their outbox
events in one insert each. Only a changed enterprise is explained (the full
:func:`~bianmin.credit.domain.scoring.compute`) for its change's reason, with its code and name
read then. Each chunk is one
transaction that holds its enterprises while it works (``FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` write lock), so a record confirmed meanwhile waits for the chunk and then
recodes its enterprise from the batch's result, never the other way round.

Daily: at or after ``recompute_at`` (Shanghai time) each replica tries to insert the run row of
today's date (key ``daily:<date>``); the unique key lets exactly one insert win, and that replica
runs the batch. A winner that dies leaves its row unfinished; when its heartbeat is older than
``STALE`` another replica takes the run over (the batch writes only differences, so running it
again is harmless).

After a rule edit: ``POST /v1/rules`` writes, in the new version's own transaction, an unowned
run row ``rules:v<version>`` (:func:`add_rule_version`) and wakes the worker
(:mod:`bianmin.credit.workers`); the worker of whichever replica claims it first (an update that
only an unowned or stale row lets through) recomputes every color under the new
version at once, with trigger ``rules`` on each change. All colors are recomputed, not only
those an edit could touch: a band, a deduction or the clean-year window can move any enterprise,
and the batch writes only what changed. A run lost with its replica is taken over after ``STALE``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from bianmin.contracts.events.credit import ColorChanged
from bianmin.credit.domain.coding import write_changes
from bianmin.credit.domain.errors import RulesEditedConcurrently
from bianmin.credit.domain.grading import Grader
from bianmin.credit.domain.rules import Color, RuleBody
from bianmin.credit.domain.ruleset import EPOCH, Rules, add_version, rules_on
from bianmin.credit.domain.scoring import BonusFact, RecordFact, compute
from bianmin.credit.models import BadRecord, BonusItem, Enterprise, RecomputeRun
from bianmin.kit.clock import Clock
from bianmin.kit.waits import stop
from bianmin.kit.workdays import local_date

log = logging.getLogger("bianmin.credit.recompute")
CHUNK = 2000
STALE = timedelta(minutes=30)
OWNER = f"{socket.gethostname()}:{os.getpid()}"
ENTERPRISE = Enterprise.__table__
RECORD = BadRecord.__table__
BONUS = BonusItem.__table__


@dataclass
class BatchResult:
    """What one batch recompute did."""

    day: date
    rule_version: int
    enterprises: int = 0
    rescored: int = 0
    changes: int = 0


def _record_fact(row: Any) -> RecordFact:
    rid, severity, kind, points, months, confirmed_on, ended_on, status = row
    return RecordFact(id=rid, kind=kind, severity=severity, points=points, publication_months=months,
                      confirmed_on=confirmed_on, ended_on=ended_on, ended_as=status if ended_on else None)


def _bonus_fact(row: Any, kinds: dict[int, str]) -> BonusFact:
    bid, points, approved_on, valid_until = row
    return BonusFact(id=bid, kind=kinds.get(bid, ""), points=points, approved_on=approved_on,
                     valid_until=valid_until)


async def _chunk_facts(conn: AsyncConnection, low: int, high: int) -> tuple[
        dict[int, list[Any]], dict[int, list[Any]]]:
    """Confirmed records and approved bonuses of the enterprises ``low``..``high``, as column tuples."""
    records: dict[int, list[Any]] = defaultdict(list)
    rows = await conn.execute(select(
        RECORD.c.enterprise_id, RECORD.c.id, RECORD.c.severity, RECORD.c.kind, RECORD.c.points,
        RECORD.c.publication_months, RECORD.c.confirmed_on, RECORD.c.ended_on, RECORD.c.status,
    ).where(RECORD.c.enterprise_id.between(low, high), RECORD.c.confirmed_on.is_not(None)))
    for row in rows:
        records[row[0]].append(row[1:])
    bonuses: dict[int, list[Any]] = defaultdict(list)
    rows = await conn.execute(select(
        BONUS.c.enterprise_id, BONUS.c.id, BONUS.c.points, BONUS.c.approved_on, BONUS.c.valid_until,
    ).where(BONUS.c.enterprise_id.between(low, high), BONUS.c.approved_on.is_not(None)))
    for row in rows:
        bonuses[row[0]].append(row[1:])
    return records, bonuses


async def _explain_changes(conn: AsyncConnection, changed: list[tuple[Any, Color, Decimal]],
                           records: dict[int, list[Any]], bonuses: dict[int, list[Any]], rules: Rules, *,
                           day: date, now: datetime, trigger: str) -> tuple[list[dict[str, Any]], list[ColorChanged]]:
    """The change rows and events of the enterprises whose color changed, each with its explanation."""
    ids = [row[0] for row, _color, _score in changed]
    names = {r[0]: (r[1], r[2]) for r in await conn.execute(
        select(ENTERPRISE.c.id, ENTERPRISE.c.credit_code, ENTERPRISE.c.name).where(ENTERPRISE.c.id.in_(ids)))}
    bonus_ids = [b[0] for eid in ids for b in bonuses.get(eid, ())]
    kinds = dict((await conn.execute(select(BONUS.c.id, BONUS.c.kind).where(BONUS.c.id.in_(bonus_ids)))).all()) \
        if bonus_ids else {}
    changes: list[dict[str, Any]] = []
    payloads: list[ColorChanged] = []
    for row, color, score in changed:
        eid, old = row[0], row[1]
        outcome = compute([_record_fact(r) for r in records.get(eid, ())],
                          [_bonus_fact(b, kinds) for b in bonuses.get(eid, ())], rules.body,
                          rule_version=rules.version, as_of=day)
        reason = f"{trigger} recompute: {outcome.summary()}"[:4000]
        changes.append({"enterprise_id": eid, "old_color": old, "new_color": color, "score": score,
                        "rule_version": rules.version, "reason": reason, "trigger": trigger, "changed_at": now})
        code, name = names[eid]
        payloads.append(ColorChanged(credit_code=code, name=name or "", old_color=old, new_color=color, score=score,
                                     rule_version=rules.version, reason=reason, changed_at=now))
    return changes, payloads


async def recompute_all(sessions: async_sessionmaker[AsyncSession], *, now: datetime, trigger: str = "daily",
                        on_chunk: asyncio.Event | None = None) -> BatchResult:
    """Recompute every enterprise's color for today; write and announce only what changed."""
    day = local_date(now)
    async with sessions() as session:
        rules = await rules_on(session, day)
        await session.commit()
    grader = Grader(rules.body, day)
    version = rules.version
    result = BatchResult(day=day, rule_version=version)
    after = 0
    while True:
        async with sessions() as session:
            conn = await session.connection()
            query = (select(ENTERPRISE.c.id, ENTERPRISE.c.color, ENTERPRISE.c.score, ENTERPRISE.c.rule_version)
                     .where(ENTERPRISE.c.id > after).order_by(ENTERPRISE.c.id).limit(CHUNK))
            if conn.dialect.name == "postgresql":
                query = query.with_for_update()
            rows = (await conn.execute(query)).all()
            if not rows:
                break
            after = rows[-1][0]
            records, bonuses = await _chunk_facts(conn, rows[0][0], after)
            quiet: list[dict[str, object]] = []
            changed: list[tuple[Any, Color, Decimal]] = []
            for row in rows:
                eid = row[0]
                color, score = grader.grade(records.get(eid, ()), bonuses.get(eid, ()))
                if color != row[1]:
                    changed.append((row, color, score))
                elif score != row[2] or version != row[3]:
                    quiet.append({"eid": eid, "score": score, "version": version})
            if quiet:
                await conn.execute(update(ENTERPRISE).where(ENTERPRISE.c.id == bindparam("eid")).values(
                    score=bindparam("score"), rule_version=bindparam("version"), coded_at=now), quiet)
            if changed:
                await conn.execute(update(ENTERPRISE).where(ENTERPRISE.c.id == bindparam("eid")).values(
                    color=bindparam("color"), score=bindparam("score"), rule_version=bindparam("version"),
                    coded_at=now, updated_at=now),
                    [{"eid": row[0], "color": color, "score": score, "version": version}
                     for row, color, score in changed])
                changes, payloads = await _explain_changes(conn, changed, records, bonuses, rules, day=day, now=now,
                                                           trigger=trigger)
                await write_changes(session, changes, payloads, now=now)
            result.rescored += len(quiet)
            result.changes += len(changed)
            result.enterprises += len(rows)
            await session.commit()
        if on_chunk is not None:
            on_chunk.set()
    return result


def daily_key(day: date) -> str:
    """The run key of a date's daily recompute."""
    return f"daily:{day.isoformat()}"


def rules_key(version: int) -> str:
    """The run key of the recompute after rule version ``version`` was added."""
    return f"rules:v{version}"


async def claim_day(sessions: async_sessionmaker[AsyncSession], day: date, *, now: datetime,
                    owner: str = OWNER) -> bool:
    """Whether this replica runs ``day``'s recompute: its insert won, or it took over a dead run."""
    async with sessions() as session:
        try:
            session.add(RecomputeRun(run_key=daily_key(day), trigger="daily", run_date=day, owner=owner,
                                     started_at=now, heartbeat_at=now))
            await session.commit()
            return True
        except IntegrityError:
            await session.rollback()
        return await _take_over(session, daily_key(day), now=now, owner=owner)


async def _take_over(session: AsyncSession, key: str, *, now: datetime, owner: str) -> bool:
    """Take an unfinished run whose owner has not beaten for ``STALE``; one replica's update wins."""
    taken = await session.execute(
        update(RecomputeRun).where(RecomputeRun.run_key == key, RecomputeRun.finished_at.is_(None),
                                   RecomputeRun.heartbeat_at < now - STALE)
        .values(owner=owner, heartbeat_at=now))
    await session.commit()
    return bool(taken.rowcount)


async def request_rules_run(session: AsyncSession, *, version: int, now: datetime) -> None:
    """Ask for a recompute under a new rule version, in the rule edit's transaction (no owner yet)."""
    session.add(RecomputeRun(run_key=rules_key(version), trigger="rules", rule_version=version,
                             run_date=local_date(now), owner="", started_at=now, heartbeat_at=EPOCH))
    await session.flush()


async def add_rule_version(session: AsyncSession, *, body: RuleBody, note: str, now: datetime, by: str) -> Rules:
    """Add the next rule version and ask for every color's recompute under it, in one transaction.

    Two edits at the same moment would both take the next number: on PostgreSQL the second one's
    insert waits for the first and then fails, which is a 409 to retry after reading the rules.
    """
    try:
        added = await add_version(session, body=body, note=note, now=now, by=by)
        await request_rules_run(session, version=added.version, now=now)
    except IntegrityError as exc:
        raise RulesEditedConcurrently("Another rule version was added at the same moment; read the rules and retry.") \
            from exc
    return added


async def _run(sessions: async_sessionmaker[AsyncSession], clock: Clock, *, key: str, trigger: str) -> BatchResult:
    """Run a claimed batch with a heartbeat after each chunk, then mark its run row finished."""
    beat = asyncio.Event()

    async def heartbeat() -> None:
        while True:
            await beat.wait()
            beat.clear()
            async with sessions() as session:
                await session.execute(update(RecomputeRun).where(RecomputeRun.run_key == key)
                                      .values(heartbeat_at=clock.now()))
                await session.commit()

    beating = asyncio.create_task(heartbeat())
    try:
        result = await recompute_all(sessions, now=clock.now(), trigger=trigger, on_chunk=beat)
    finally:
        if (failed := await stop(beating)) is not None:
            log.warning("recompute heartbeat failed", extra={"run": key, "error": repr(failed)})
    async with sessions() as session:
        await session.execute(update(RecomputeRun).where(RecomputeRun.run_key == key).values(
            finished_at=clock.now(), enterprises=result.enterprises, changes=result.changes))
        await session.commit()
    log.info("recompute done", extra={"run": key, "enterprises": result.enterprises, "changes": result.changes})
    return result


async def run_day(sessions: async_sessionmaker[AsyncSession], clock: Clock, *, owner: str = OWNER) -> BatchResult | None:
    """Run today's recompute when this replica wins the day; None when another replica has it."""
    now = clock.now()
    day = local_date(now)
    if not await claim_day(sessions, day, now=now, owner=owner):
        return None
    return await _run(sessions, clock, key=daily_key(day), trigger="daily")


async def run_rule_edits(sessions: async_sessionmaker[AsyncSession], clock: Clock, *,
                         owner: str = OWNER) -> list[BatchResult]:
    """Run every requested rule-edit recompute this replica can claim (abandoned ones included)."""
    async with sessions() as session:
        keys = (await session.scalars(select(RecomputeRun.run_key).where(
            RecomputeRun.trigger == "rules", RecomputeRun.finished_at.is_(None)).order_by(RecomputeRun.id))).all()
    results = []
    for key in keys:
        async with sessions() as session:
            claimed = await _take_over(session, key, now=clock.now(), owner=owner)
        if claimed:
            results.append(await _run(sessions, clock, key=key, trigger="rules"))
    return results

