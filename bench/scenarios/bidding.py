"""Scenarios 4 and 5: the deadline burst of sealed bids, and the opening of a tender's bids.

Both tenders are prepared together (published, bidders registered, cash deposits recorded, the
opening tender's bids sealed and submitted) with one bid deadline, so that a run waits for
one deadline only. A tender's deadline cannot move once it is published, so it is set from the
set-up's expected duration: half the rate of 80 registrations and deposits on a throwaway tender.
"""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.scenarios import Context
from bench.scenarios.data import credit_code, ok
from bench.stats import Target, summarize
from bench.workloads import Requests, SealedBids

SECTION = "S1"
BASELINE_BIDS = 30
TENDERER = credit_code("MA", 999)


def _project(code: str, deadline: datetime) -> dict[str, Any]:
    return {"code": code, "name": "基准测试工程", "category": "construction", "level": "district",
            "site_code": "330199", "tenderer_name": "基准测试招标人", "tenderer_credit_code": TENDERER,
            "budget": "1000000.00", "sections": [{"code": SECTION, "name": "施工", "budget": "1000000.00",
                                                  "bid_bond_amount": "1000.00"}],
            "bid_deadline": deadline.isoformat(), "opening_at": deadline.isoformat()}


def _enrol(project: str, bidders: list[str]) -> list[tuple[str, str, Any]]:
    out: list[tuple[str, str, Any]] = []
    for n, bidder in enumerate(bidders):
        out.append(("POST", f"/bidding/v1/projects/{project}/sections/{SECTION}/registrations",
                    {"credit_code": bidder, "name": f"基准投标人{n}"}))
        out.append(("POST", "/bidding/v1/deposits", {"project_code": project, "section_code": SECTION,
                                                      "credit_code": bidder, "amount": "1000.00",
                                                      "account": f"6222{n:012d}", "reference": f"{project}-{n}"}))
    return out


def problem_codes(failures: list[str]) -> str:
    """The problem codes among a job's first failures, counted: ``deadline_passed ×12``."""
    counts: dict[str, int] = {}
    for failure in failures:
        found = re.search(r'"code":"([a-z_]+)"', failure)
        key = found.group(1) if found else failure[:40]
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{k} ×{n}" for k, n in counts.items()) + (" (of the first 20)" if len(failures) >= 20 else "")


def _wait_until(moment: datetime) -> None:
    delay = (moment - datetime.now(UTC)).total_seconds()
    if delay > 0:
        time.sleep(delay)


def _calibrate(ctx: Context, tag: str) -> float:
    """Requests per second of the set-up's kind, measured on a throwaway tender (its deadline far away)."""
    code = f"BENCH-CAL-{tag}"
    with ctx.platform.client() as client:
        ok(client.post("/bidding/v1/projects", json=_project(code, datetime.now(UTC) + timedelta(days=1))))
        ok(client.post(f"/bidding/v1/projects/{code}/publish"))
    done = ctx.setup(Requests(_enrol(code, [credit_code("ME", n) for n in range(1, 41)]), ctx.platform.gateway_headers(),
                              idempotency=True, retries=3), port=ctx.platform.port("gateway"), what="calibrating")
    return done.throughput


def tenders(ctx: Context) -> dict[str, Any]:
    """Both tenders, prepared once per run up to (not past) their common deadline."""
    if "tenders" in ctx.shared:
        return ctx.shared["tenders"]
    p, params = ctx.platform, ctx.params
    p.require("bidding", "POST /v1/projects", "POST /v1/projects/{code}/publish", "POST /v1/deposits",
              "POST /v1/projects/{code}/sections/{section}/registrations",
              "POST /v1/projects/{code}/sections/{section}/bids")
    tag = uuid.uuid4().hex[:6].upper()
    burst, opening = f"BENCH-BURST-{tag}", f"BENCH-OPEN-{tag}"
    burst_bidders = [credit_code("MC", n) for n in range(1, params.burst_bids + BASELINE_BIDS + 1)]
    opening_bidders = [credit_code("MD", n) for n in range(1, params.opening_bids + 1)]
    requests = 2 * len(burst_bidders) + 3 * len(opening_bidders)
    rate = 0.5 * _calibrate(ctx, tag)
    ctx.log(f"set-up rate {2 * rate:.0f} req/s; {requests} set-up requests")
    deadline = (datetime.now(UTC) + timedelta(seconds=requests / rate + 10 + params.burst_window + 5)).replace(
        microsecond=0)
    with p.client() as client:
        for code in (burst, opening):
            ok(client.post("/bidding/v1/projects", json=_project(code, deadline)))
            ok(client.post(f"/bidding/v1/projects/{code}/publish"))
    headers = p.gateway_headers()
    ctx.setup(Requests(_enrol(burst, burst_bidders) + _enrol(opening, opening_bidders), headers, idempotency=True,
                       retries=3),
              port=p.port("gateway"), what="registering bidders and deposits")
    sealed = ctx.setup(SealedBids("/bidding/v1", opening, SECTION, opening_bidders, headers),
                       port=p.port("gateway"), what="submitting the opening tender's bids")
    ctx.log(f"tenders ready, deadline in {(deadline - datetime.now(UTC)).total_seconds():.1f} s")
    ctx.shared["tenders"] = {"burst": burst, "opening": opening, "deadline": deadline,
                             "burst_bidders": burst_bidders, "opening_bids": sealed.records}
    return ctx.shared["tenders"]


def deadline_burst(ctx: Context) -> None:
    """One bid at a time on an idle system, then the burst spread over the window before the deadline."""
    p, run, params = ctx.platform, ctx.run, ctx.params
    t = tenders(ctx)
    headers = p.gateway_headers()
    idle = ctx.load(SealedBids("/bidding/v1", t["burst"], SECTION, t["burst_bidders"][:BASELINE_BIDS], headers),
                    port=p.port("gateway"), connections=1, warmup=0.0, duration=600.0)
    if idle.errors:
        raise RuntimeError(f"idle bids failed: {idle.failures[:3]}")
    start = t["deadline"] - timedelta(seconds=params.burst_window + 2)
    if datetime.now(UTC) > start - timedelta(seconds=1):
        raise RuntimeError("the set-up took longer than planned: no time left for the burst before the deadline")
    bidders = t["burst_bidders"][BASELINE_BIDS:]
    load = SealedBids("/bidding/v1", t["burst"], SECTION, bidders, headers, start_at=start.timestamp(),
                      spread=params.burst_window)
    burst = ctx.load(load, port=p.port("gateway"), connections=min(128, len(bidders)), warmup=0.0, duration=600.0,
                     timeout=120.0)
    scenario = f"4 deadline burst ({len(bidders)} bids / {params.burst_window:g} s)"
    run.report(scenario, "errors", run.measure("burst errors", burst.errors, "errors"),
               target=Target("value", "==", 0), note=problem_codes(burst.failures))
    run.compare(scenario, "burst p99 vs idle single-bid median", run.measure("burst p99",
                summarize(burst.latencies).p99 * 1000, "ms"),
                run.measure("idle median", summarize(idle.latencies).p50 * 1000, "ms"),
                target=Target("ratio", "<=", 10))
    run.report(scenario, "burst median", run.measure("burst p50", summarize(burst.latencies).p50 * 1000, "ms"))


def opening(ctx: Context) -> None:
    """Past the deadline: close, start the opening, reveal every bid, finish (screening runs there)."""
    p, run = ctx.platform, ctx.run
    p.require("bidding", "POST /v1/projects/{code}/close", "POST /v1/projects/{code}/opening/start",
              "POST /v1/projects/{code}/opening/sign-in", "POST /v1/projects/{code}/bids/{bid_id}/reveal",
              "POST /v1/projects/{code}/opening/finish")
    t = tenders(ctx)
    code, bids = t["opening"], t["opening_bids"]
    _wait_until(t["deadline"] + timedelta(milliseconds=200))
    with p.client(timeout=600) as client:
        if ok(client.get(f"/bidding/v1/projects/{code}"))["status"] == "published":
            closed = client.post(f"/bidding/v1/projects/{code}/close")
            # The service's own deadline worker may close the tender between the read and the POST.
            if closed.status_code != 409:
                ok(closed)
        started = client.post(f"/bidding/v1/projects/{code}/opening/start")
        # The service's own worker starts the opening at its time; a bidder decrypts once signed in.
        if started.status_code != 409:
            ok(started)
        for credit_code in dict.fromkeys(c for c, _bid, _body in bids):
            ok(client.post(f"/bidding/v1/projects/{code}/opening/sign-in", json={"credit_code": credit_code}))
        reveals = [("POST", f"/bidding/v1/projects/{code}/bids/{bid_id}/reveal", body) for _c, bid_id, body in bids]
        started = time.perf_counter()
        revealed = ctx.setup(Requests(reveals, p.gateway_headers(), idempotency=True, retries=3), port=p.port("gateway"),
                             connections=8,
                             what="revealing bids")
        reveal_seconds = time.perf_counter() - started
        finish_started = time.perf_counter()
        ok(client.post(f"/bidding/v1/projects/{code}/opening/finish"))
        finish_seconds = time.perf_counter() - finish_started
    total = reveal_seconds + finish_seconds
    scenario = f"5 opening ({len(bids)} bids)"
    run.report(scenario, "total: reveal + decrypt + verify, then finish + screen",
               run.measure("opening total", total, "s"))
    run.report(scenario, "per bid", run.measure("per bid", total / len(bids) * 1000, "ms"))
    run.report(scenario, "finish (validity + collusion screens)", run.measure("finish", finish_seconds, "s"))
    run.report(scenario, "reveal p99 (8 conns)", run.measure("reveal p99", summarize(revealed.latencies).p99 * 1000,
                                                            "ms"))
