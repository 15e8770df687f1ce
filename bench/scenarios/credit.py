"""Scenario 7: the batch recompute of every enterprise's color, against one plain query of the same rows.

Enterprises arrive through the CSV import and records through the records API (added, then
confirmed). The recompute runs twice through ``POST /v1/recomputations`` straight to the service
(a long batch is not something to send through the gateway's upstream timeout): first with the
records' changes to write, then again, the steady daily case
(the first has changes to write unless confirming the records already moved the colors). The baseline reads the same rows (every
enterprise joined to its records) with one plain query on the credit database, from the harness.
"""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import text

from bench.scenarios import Context
from bench.scenarios.data import credit_code, ok
from bench.stats import Target
from bench.workloads import Requests
from bianmin.kit.db import Database

CSV_ROWS = 10_000
PLAIN = ("SELECT e.id, e.credit_code, e.name, e.color, e.score, r.id, r.kind, r.points, r.status, r.occurred_on "
         "FROM enterprise e LEFT JOIN bad_record r ON r.enterprise_id = e.id")


async def _plain_query(url: str) -> tuple[float, int]:
    db = Database(url)
    try:
        async with db.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
            started = time.perf_counter()
            rows = (await session.execute(text(PLAIN))).all()
            return time.perf_counter() - started, len(rows)
    finally:
        await db.dispose()


def credit_recompute(ctx: Context) -> None:
    """Import, record, recompute twice, then time the plain query."""
    p, run, params = ctx.platform, ctx.run, ctx.params
    p.require("credit", "POST /v1/enterprises/import", "POST /v1/enterprises/{code}/records",
              "POST /v1/records/{record_id}/confirm", "POST /v1/recomputations")
    n = params.enterprises
    codes = [credit_code("MB", i) for i in range(1, n + 1)]
    with p.client(timeout=600) as client:
        for start in range(0, n, CSV_ROWS):
            body = "credit_code,name\n" + "".join(f"{c},基准企业{start + k}\n" for k, c in enumerate(codes[start:start + CSV_ROWS]))
            report = ok(client.post("/credit/v1/enterprises/import", content=body.encode(),
                                    headers={"Content-Type": "text/csv"}))
            if report.get("rejected"):
                raise RuntimeError(f"the import rejected rows: {report['rejected'][:3]}")
    ctx.log(f"imported {n} enterprises")
    marked = codes[::params.record_every]
    added = ctx.setup(Requests([("POST", f"/credit/v1/enterprises/{c}/records",
                                 {"kind": "false_materials", "occurred_on": "2026-01-05", "evidence": "基准测试"})
                                for c in marked], p.gateway_headers(), keep=True, idempotency=True, retries=3),
                      port=p.port("gateway"), what="adding records")
    ctx.setup(Requests([("POST", f"/credit/v1/records/{body['id']}/confirm", {"note": "基准"})
                        for _index, body in added.records], p.gateway_headers(), idempotency=True, retries=3),
              port=p.port("gateway"), what="confirming records")
    ctx.log(f"{len(marked)} records added and confirmed")
    ctx.log(f"waited for events to settle: {p.wait_quiet(settle=2.0, limit=ctx.params.settle_limit):.1f} s")
    scenario = f"7 credit recompute ({n} enterprises, {len(marked)} records)"
    with p.direct_client("credit", timeout=1800) as credit:
        started = time.perf_counter()
        first = ok(credit.post("/v1/recomputations"))
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        ok(credit.post("/v1/recomputations"))
        steady_seconds = time.perf_counter() - started
    plain_seconds, rows = asyncio.run(_plain_query(p.database_url("credit")))
    baseline = run.measure("plain query", plain_seconds, "s")
    run.compare(scenario, "first recompute vs one plain query of the same rows",
                run.measure("recompute", first_seconds, "s"), baseline, target=Target("ratio", "<=", 5),
                note=f"{first.get('changes')} changes; query read {rows} rows")
    run.compare(scenario, "second recompute (steady) vs the plain query", run.measure("steady", steady_seconds, "s"),
                baseline, target=Target("ratio", "<=", 5))
    run.report(scenario, "enterprises per second (first recompute)",
               run.measure("enterprises/s", n / first_seconds, "ent/s"))
