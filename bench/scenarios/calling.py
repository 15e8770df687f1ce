"""Scenario 3: twenty counters call concurrently over the waiting tickets; each must be called exactly once."""

from __future__ import annotations

import time

from bench.checks import exactly_once
from bench.scenarios import Context
from bench.scenarios.data import ok
from bench.scenarios.hop import open_ticket_halls
from bench.stats import Target, summarize
from bench.workloads import CallCounters, TakeTickets

HALL = "330199000"
COUNTERS = 20


def calling(ctx: Context) -> None:
    """Issue the tickets, then let 20 counters call-start-complete until nobody waits; check exactly once."""
    p, run, n = ctx.platform, ctx.run, ctx.params.tickets
    lines = [chr(ord("A") + i) for i in range(-(-n // 990))]
    p.require("queue", "POST /v1/counters/{counter_id}/call-next", "POST /v1/tickets/{ticket_id}/start",
              "POST /v1/tickets/{ticket_id}/complete", "GET /v1/halls/{code}/counters")
    open_ticket_halls(ctx, [HALL], lines, counters=COUNTERS)
    with p.client() as client:
        counters = sorted(c["id"] for c in ok(client.get(f"/queue/v1/halls/{HALL}/counters")))[:COUNTERS]
    issued = ctx.driver.run(TakeTickets("/queue/v1/tickets", [(HALL, line) for line in lines], p.gateway_headers(),
                                        total=n, keep=True, retries=3), port=p.port("gateway"), connections=16)
    waiting = list(issued.records)
    ctx.log(f"{len(waiting)} tickets issued at {issued.throughput:.0f}/s")
    started = time.perf_counter()
    result = ctx.load(CallCounters("/queue/v1", counters, p.gateway_headers()), port=p.port("gateway"),
                      connections=len(counters), warmup=0.0, duration=1800.0, timeout=120.0)
    seconds = time.perf_counter() - started
    check = exactly_once(waiting, [ticket for _counter, ticket in result.records])
    note = check.describe()
    if issued.errors:
        note += f"; {issued.errors} tickets not issued ({issued.failures[0][:80]})"
    run.report("3 calling", f"exactly once, {len(counters)} counters over {len(waiting)} tickets",
               run.measure("exactly once", 1.0 if check.ok else 0.0, "bool"),
               target=Target("value", "==", 1.0), note=note)
    run.report("3 calling", "failed calls (answered 4xx/5xx, or no answer)", run.measure("failed calls", result.errors, "calls"),
               note="; ".join(result.failures[:1])[:120])
    run.report("3 calling", "calls per second (each call + start + complete)",
               run.measure("calls/s", len(result.records) / seconds if seconds else 0.0, "calls/s"))
    latency = summarize(result.latencies)
    run.report("3 calling", "call-next p99", run.measure("call p99", latency.p99 * 1000, "ms"))
    run.report("3 calling", "call-next p50", run.measure("call p50", latency.p50 * 1000, "ms"))
