"""Scenarios 1 and 2: the gateway's hop, and how close taking a ticket comes to the framework's ceiling."""

from __future__ import annotations

from bench.scenarios import Context
from bench.scenarios.data import anchor_item, ok
from bench.stats import Target, summarize
from bench.workloads import GetPaths, TakeTickets

HALLS = [f"330199{n:03d}" for n in range(1, 11)]
LINES = [chr(ord("A") + i) for i in range(26)]


def gateway_hop(ctx: Context) -> None:
    """GET one catalog item through the gateway and straight to the service, at 32 and at 1 connection."""
    code = anchor_item(ctx)
    p, run = ctx.platform, ctx.run
    through = GetPaths([f"/catalog/v1/items/{code}"], p.gateway_headers())
    direct = GetPaths([f"/v1/items/{code}"], p.direct_headers("catalog"))
    for connections in (32, 1):
        via, own = ctx.alternate(through, p.port("gateway"), direct, p.port("catalog"), connections=connections)
        for result, what in ((via, "gateway"), (own, "direct")):
            if result.errors:
                raise RuntimeError(f"{what} GET failed: {result.failures[:3]}")
        if connections == 32:
            run.compare("1 gateway hop", "item GET throughput, 32 conns (gateway vs direct)",
                        run.measure("gateway rps", via.throughput, "req/s"),
                        run.measure("direct rps", own.throughput, "req/s"), target=Target("ratio", ">=", 0.6))
            run.compare("1 gateway hop", "item GET p99, 32 conns",
                        run.measure("gateway p99", summarize(via.latencies).p99 * 1000, "ms"),
                        run.measure("direct p99", summarize(own.latencies).p99 * 1000, "ms"))
        else:
            run.compare("1 gateway hop", "item GET median, 1 conn (added by the hop)",
                        run.measure("gateway p50", summarize(via.latencies).p50 * 1000, "ms"),
                        run.measure("direct p50", summarize(own.latencies).p50 * 1000, "ms"),
                        target=Target("difference", "<=", 1.0, "ms"))


def open_ticket_halls(ctx: Context, halls: list[str], lines: list[str], *, counters: int = 0) -> None:
    """Open halls with lines of the largest daily cap (and ``counters`` open counters serving every line)."""
    p = ctx.platform
    p.require("queue", "POST /v1/halls", "POST /v1/halls/{code}/lines", "POST /v1/tickets")
    with p.client() as client:
        existing = {h["code"] for h in ok(client.get("/queue/v1/halls"))}
        for hall in halls:
            if hall not in existing:
                ok(client.post("/queue/v1/halls", json={"code": hall, "name": f"基准大厅{hall[-3:]}"}))
            have = {line["prefix"] for line in ok(client.get(f"/queue/v1/halls/{hall}/lines"))}
            for prefix in lines:
                if prefix not in have:
                    ok(client.post(f"/queue/v1/halls/{hall}/lines",
                                   json={"prefix": prefix, "name": f"基准业务{prefix}", "daily_cap": 999}))
            if counters:
                p.require("queue", "POST /v1/halls/{code}/counters")
                numbers = {c["number"] for c in ok(client.get(f"/queue/v1/halls/{hall}/counters"))}
                for number in range(1, counters + 1):
                    if number not in numbers:
                        ok(client.post(f"/queue/v1/halls/{hall}/counters", json={
                            "number": number, "name": f"{number}号窗口", "state": "open",
                            "lines": [{"line": prefix, "weight": 1} for prefix in lines]}))


def framework_ceiling(ctx: Context) -> None:
    """A trivial JSON route in the same stack vs taking a ticket through the gateway, 32 connections each."""
    p, run = ctx.platform, ctx.run
    open_ticket_halls(ctx, HALLS, LINES)
    pairs = [(hall, line) for line in LINES for hall in HALLS]
    tickets, trivial = ctx.alternate(TakeTickets("/queue/v1/tickets", pairs, p.gateway_headers()), p.port("gateway"),
                                     GetPaths(["/v1/ping"], p.direct_headers("trivial")), p.port("trivial"), connections=32)
    if trivial.errors:
        raise RuntimeError(f"trivial route failed: {trivial.failures[:3]}")
    note = f"{tickets.errors} errors" if tickets.errors else ""
    run.compare("2 framework ceiling", "take a ticket via gateway vs trivial route, 32 conns",
                run.measure("ticket rps", tickets.throughput, "req/s"),
                run.measure("trivial rps", trivial.throughput, "req/s"), target=Target("ratio", ">=", 0.35), note=note)
    run.compare("2 framework ceiling", "p99, 32 conns (ticket vs trivial)",
                run.measure("ticket p99", summarize(tickets.latencies).p99 * 1000, "ms"),
                run.measure("trivial p99", summarize(trivial.latencies).p99 * 1000, "ms"))
