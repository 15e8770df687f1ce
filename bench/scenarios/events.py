"""Scenario 6: commit of a change in catalog → its effect applied by the queue, vs raw JetStream."""

from __future__ import annotations

from bench.scenarios import Context
from bench.scenarios.data import anchor_item, ok
from bench.scenarios.hop import open_ticket_halls
from bench.stats import Target, summarize
from bench.workloads import EventProbe, JetStreamRoundTrip
from bianmin.kit.events.access import OPS_USER

HALL = "330199010"
LINE = "Z"


def event_latency(ctx: Context) -> None:
    """Rename the anchor item N times, one at a time; time each rename until the queue's line shows it."""
    p, run, params = ctx.platform, ctx.run, ctx.params
    p.require("catalog", "PATCH /v1/items/{code}")
    p.require("queue", "PATCH /v1/halls/{code}/lines/{prefix}", "GET /v1/halls/{code}/lines")
    code = anchor_item(ctx)
    open_ticket_halls(ctx, [HALL], [LINE])
    with p.client() as client:
        ok(client.patch(f"/queue/v1/halls/{HALL}/lines/{LINE}", json={"item_codes": [code]}))
    p.wait_quiet(settle=1.0, limit=ctx.params.settle_limit)
    probe = EventProbe(f"/catalog/v1/items/{code}", f"/v1/halls/{HALL}/lines", code, p.gateway_headers(),
                       p.port("queue"), p.direct_headers("queue"), params.event_samples)
    events = ctx.load(probe, port=p.port("gateway"), connections=1, warmup=0.0, duration=600.0)
    if events.errors:
        raise RuntimeError(f"event probe failed: {events.failures[:3]}")
    raw = ctx.load(JetStreamRoundTrip(p.nats.url, params.jetstream_samples, p.nats.seed(OPS_USER)), port=p.port("gateway"), connections=1,
                   warmup=0.0, duration=600.0)
    if raw.errors:
        raise RuntimeError(f"JetStream round trip failed: {raw.failures[:3]}")
    mine, base = summarize(events.latencies), summarize(raw.latencies)
    poll = sum(events.records) / len(events.records) * 1000 if events.records else 0.0
    scenario = "6 event latency"
    run.compare(scenario, "p99 commit → queue read model vs raw JetStream", run.measure("event p99", mine.p99 * 1000, "ms"),
                run.measure("jetstream p99", base.p99 * 1000, "ms"), target=Target("ratio", "<=", 5),
                note=f"{len(events.latencies)} changes, poll every {poll:.2f} ms")
    run.compare(scenario, "p50 commit → queue read model vs raw JetStream", run.measure("event p50", mine.p50 * 1000, "ms"),
                run.measure("jetstream p50", base.p50 * 1000, "ms"))
