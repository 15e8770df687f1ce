"""Benchmark: recompute the color of N enterprises (default 100,000) in one batch.

Usage (from the repository root)::

    .venv/bin/python svc-credit/bench/recompute_bench.py [--enterprises 100000] [--url postgresql://...]

It migrates a fresh database (a temporary SQLite file unless ``--url`` names a PostgreSQL
database, which must be empty), bulk-inserts the enterprises with one bad record for every fifth
of them (a third of those past their publication period, so the run has changes to write), then
times :func:`bianmin.credit.domain.recompute.recompute_all` twice: the first run writes the changes, the
second finds none (the steady daily case). The baseline is one plain query reading the same rows
the batch reads (each enterprise's id, color, score and rule version joined with its confirmed
records' columns, through SQLAlchemy Core on the same driver, every row fetched); the ratio is the
steady run's time over the baseline's. Prints one JSON line of results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.credit.domain.recompute import recompute_all
from bianmin.credit.models import BadRecord, Enterprise
from bianmin.kit.db import Database
from bianmin.kit.identifiers import with_uscc_check
from bianmin.kit.migrations import upgrade
from bianmin.kit.tables import outbox_event


async def seed(db: Database, count: int) -> None:
    """Insert ``count`` green enterprises and a record for every fifth, in bulk."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    async with db.sessionmaker() as session:
        for start in range(1, count + 1, 10_000):
            rows = [{"credit_code": with_uscc_check(f"91330199MB{n:07d}"), "name": f"基准企业{n}", "legacy_code": False,
                     "color": "green", "score": Decimal(100), "rule_version": 1, "coded_at": now,
                     "created_at": now, "updated_at": now} for n in range(start, min(start + 10_000, count + 1))]
            await session.execute(insert(Enterprise), rows)
        await session.commit()
        ids = (await session.scalars(select(Enterprise.id).order_by(Enterprise.id))).all()
        records = [{"enterprise_id": eid, "kind": "false_materials", "severity": "general", "points": Decimal(15),
                    "publication_months": 12 if i % 3 else 3, "occurred_on": date(2026, 1, 5),
                    "evidence": "bench", "source": "manual", "site_code": "*", "status": "confirmed",
                    "rule_version": 1, "confirmed_on": date(2026, 1, 10), "created_at": now, "created_by": "bench"}
                   for i, eid in enumerate(ids[::5])]
        for start in range(0, len(records), 10_000):
            await session.execute(insert(BadRecord), records[start:start + 10_000])
        await session.commit()


async def plain_read(db: Database) -> tuple[float, int]:
    """Seconds and row count of one plain query reading what the batch reads."""
    enterprise, record = Enterprise.__table__, BadRecord.__table__
    query = (select(enterprise.c.id, enterprise.c.color, enterprise.c.score, enterprise.c.rule_version,
                    record.c.id, record.c.severity, record.c.kind, record.c.points, record.c.publication_months,
                    record.c.confirmed_on, record.c.ended_on, record.c.status)
             .outerjoin(record, (record.c.enterprise_id == enterprise.c.id) & record.c.confirmed_on.is_not(None)))
    session: AsyncSession
    async with db.sessionmaker() as session:
        connection = await session.connection()
        started = time.perf_counter()
        rows = (await connection.execute(query)).all()
        return time.perf_counter() - started, len(rows)


async def main() -> None:
    """Seed, run twice, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    url = args.url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/credit-bench.db"
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+asyncpg://", 1)
    await asyncio.to_thread(upgrade, "bianmin.credit.migrations", url)
    db = Database(url)
    started = time.perf_counter()
    await seed(db, args.enterprises)
    seeded = time.perf_counter() - started
    now = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    started = time.perf_counter()
    first = await recompute_all(db.sessionmaker, now=now)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = await recompute_all(db.sessionmaker, now=now)
    second_seconds = time.perf_counter() - started
    baseline_seconds, baseline_rows = await plain_read(db)
    async with db.sessionmaker() as session:
        events = await session.scalar(select(func.count()).select_from(outbox_event))
    await db.dispose()
    print(json.dumps({"backend": db.dialect, "enterprises": first.enterprises, "seed_seconds": round(seeded, 2),
                      "first_run_seconds": round(first_seconds, 2), "first_run_changes": first.changes,
                      "first_run_rescored": first.rescored, "steady_run_seconds": round(second_seconds, 2),
                      "steady_run_changes": second.changes, "events_written": events,
                      "first_run_enterprises_per_second": round(first.enterprises / first_seconds),
                      "steady_run_enterprises_per_second": round(second.enterprises / second_seconds),
                      "plain_query_seconds": round(baseline_seconds, 2), "plain_query_rows": baseline_rows,
                      "steady_to_plain_query_ratio": round(second_seconds / baseline_seconds, 2)}))


if __name__ == "__main__":
    asyncio.run(main())
