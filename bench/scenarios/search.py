"""Scenario 8: Chinese item search over the catalog, by query length, against fetching an item by code."""

from __future__ import annotations

import random
import urllib.parse

from bench.load import LoadResult
from bench.scenarios import Context
from bench.scenarios.data import import_items
from bench.stats import Target, summarize
from bench.workloads import GetPaths

QUERIES = {
    1: ["证", "登", "照", "许", "备", "药"],
    2: ["登记", "许可", "备案", "执照", "经营", "燃气"],
    4: ["营业执照", "食品经营", "设立登记", "变更登记", "建设工程", "道路运输"],
}
CONNECTIONS = 8
ROUNDS = 2


def search(ctx: Context) -> None:
    """Import the items, let the events settle, then p99 of each query length vs p99 of GET by code."""
    p, run, n = ctx.platform, ctx.run, ctx.params.items
    p.require("catalog", "GET /v1/items", "GET /v1/items/{code}")
    import_items(ctx, 1, n)
    ctx.log(f"imported {n} items")
    ctx.log(f"waited for events to settle: {p.wait_quiet(settle=2.0, limit=ctx.params.settle_limit):.1f} s")
    rng = random.Random(8)
    codes = [f"/catalog/v1/items/BENCH-ITEM-{rng.randint(1, n):05d}" for _ in range(500)]
    loads = {0: GetPaths(codes)}
    loads.update({length: GetPaths([f"/catalog/v1/items?q={urllib.parse.quote(w)}&limit=20" for w in words])
                  for length, words in QUERIES.items()})
    results: dict[int, LoadResult] = {}
    for _ in range(ROUNDS):
        for length, workload in loads.items():
            got = ctx.load(workload, port=p.port("gateway"), connections=CONNECTIONS, warmup=ctx.params.warmup / 2,
                           duration=ctx.params.duration / ROUNDS)
            results[length] = results[length].merge(got) if length in results else got
    failed = [r.failures[:2] for r in results.values() if r.errors]
    if failed:
        raise RuntimeError(f"search or fetch failed: {failed}")
    baseline = run.measure("fetch p99", summarize(results[0].latencies).p99 * 1000, "ms")
    scenario = f"8 search ({n} items, {CONNECTIONS} conns)"
    for length in QUERIES:
        run.compare(scenario, f"p99 of {length}-char queries vs GET by code",
                    run.measure(f"search{length} p99", summarize(results[length].latencies).p99 * 1000, "ms"),
                    baseline, target=Target("ratio", "<=", 3))
