"""The fault suite: real processes (``bianmin.testing.localrun``), real crashes, and a table of what survived.

``make reliability`` (``python -m tests.reliability``) starts nats-server, the services and
the gateway on free ports, then, one after the other:
1. ``kill -9`` of nats-server during event-producing writes (new enterprises in credit, whose first
   color bidding and guarantee consume), then a restart: every event is consumed once by each consumer.
2. ``kill -9`` of a service during load: the gateway answers 503 problem+json quickly (p99 < 2 s);
   after a restart every acknowledged write is present, none twice.
3. ``kill -9`` of the gateway while clients retry with ``Idempotency-Key``: no duplicated effect.
4. PostgreSQL restarted under load: credit runs on a private PostgreSQL of the suite's own
   (``tests/reliability/postgres.py``; never the machine's server on 5432), which is restarted with
   ``pg_ctl restart -m fast`` and later killed with ``kill -9`` and started again mid-load. Clients see
   503 problem+json, never a 500, while it is down; credit answers again without being restarted;
   every acknowledged write is present once and its events reach both consumers. Skipped, with a
   row saying so, when no PostgreSQL binaries are installed (credit then runs on SQLite).
5. A slow upstream (the process stopped with SIGSTOP): timeouts fire, the circuit opens, then
   half-opens and closes once the process runs again.
6. ``kill -9`` of the webhooks deliverer mid-retry (``tests/reliability/webhooks_fault.py``): after a
   restart every event reaches the receiver, under one ``webhook-id`` each, signed.
7. credit's JetStream stream deleted under load, twice, then deleted and held off by a stream squatting
   on its subjects (``tests/reliability/stream_fault.py``): the stream comes back without a restart,
   every acknowledged write's event reaches both consumers once, and credit's ``/readyz`` reports
   the backlog and fails with ``outbox: stuck`` while the events cannot go, then recovers.
8. credit's disk filled under load (its SQLite database on a small tmpfs, really filled;
   ``tests/reliability/disk_fault.py``): every 5xx is a 503 ``storage_full``, readiness fails, and
   both recover when space returns. Skipped, with a row saying so, where the suite may not mount.
It prints one row per fault and exits non-zero when a promise was broken. ``RELIABILITY=quick`` is
CI's shorter setting (fault 1 with 300 writes instead of 5,000). A new fault is an ``async (platform,
client) -> Row`` function added to ``FAULTS``; ``RELIABILITY_FAULTS=4`` runs only the fourth.
"""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from bianmin.testing.localrun import create_key, free_layout, local_nats
from bianmin.testing.sites import demo_sites_csv, import_sites, wait_until_registries_agree

from .disk_fault import fault_disk
from .load import (
    QUICK,
    WRITES,
    FaultPlatform,
    baseline,
    credit_code,
    db_count,
    enterprise_writes,
    events_and_found,
    until_ok,
    write_many,
)
from .postgres import PrivatePostgres, find_binaries
from .rows import Row, format_table
from .stream_fault import ENV as STREAM_FAULT_ENV
from .stream_fault import fault_stream
from .webhooks_fault import fault_webhooks

# RELIABILITY_FAULTS=2,4 runs only those faults (numbered as in FAULTS, from 1), e.g. while working on one.
ONLY = {part.strip() for part in os.environ.get("RELIABILITY_FAULTS", "").split(",") if part.strip()}


async def fault_nats(platform: FaultPlatform, client: httpx.AsyncClient) -> Row:
    """1. kill -9 of nats-server during event-producing writes, then a restart."""
    row, run = Row("1 nats-server kill -9"), "NA"
    base = baseline(platform)
    assert platform.nats is not None
    nats = platform.nats
    acknowledged = await write_many(client, enterprise_writes(run, WRITES),
                                    [(WRITES // 3, nats.kill), (2 * WRITES // 3, nats.start)], row, retry=True)
    events_and_found(platform, row, run, acknowledged, base)
    return row


async def fault_service(platform: FaultPlatform, client: httpx.AsyncClient) -> Row:
    """2. kill -9 of a service during load: quick 503s while down, every acknowledged write kept."""
    row, run = Row("2 credit service kill -9"), "QR"
    count = 150 if QUICK else 600
    latencies: list[float] = []
    await until_ok(client, "/credit/v1/stats/overview")
    base = baseline(platform)
    acknowledged = await write_many(
        client, enterprise_writes(run, count),
        [(count // 3, lambda: platform.stop("credit", sig=signal.SIGKILL)), (2 * count // 3, lambda: platform.start("credit"))],
        row, latencies=latencies)
    events_and_found(platform, row, run, acknowledged, base)
    if latencies:
        p99 = sorted(latencies)[max(0, int(len(latencies) * 0.99) - 1)]
        row.notes.append(f"{len(latencies)} 5xx while down, p99 {p99 * 1000:.0f} ms")
        if p99 >= 2.0:
            row.fail(f"p99 of the 503s was {p99:.2f} s")
    else:
        row.fail("the gateway never answered 503 while the service was down")
    return row


async def fault_gateway(platform: FaultPlatform, client: httpx.AsyncClient) -> Row:
    """3. kill -9 of the gateway while clients retry with Idempotency-Key: no duplicated effect."""
    row, run = Row("3 gateway kill -9 + retries"), "GW"
    code = credit_code(run, 0)
    await until_ok(client, "/credit/v1/stats/overview")
    await client.post("/credit/v1/enterprises", json={"credit_code": code, "name": "便民区重试建设有限公司"})
    count = 120 if QUICK else 500
    writes = [(f"/credit/v1/enterprises/{code}/records",
               {"kind": "late_performance", "occurred_on": "2026-02-20", "evidence": f"通报{n}"}, f"{run}-{uuid.uuid4().hex}")
              for n in range(count)]
    kinds = (await client.get("/credit/v1/rules")).json()
    kind = _first_kind(kinds)
    for _, body, _ in writes:
        body["kind"] = kind
    acknowledged = await write_many(
        client, writes,
        [(count // 3, lambda: _crash_and_restart(platform, "gateway"))], row, retry=True)
    row.acknowledged = len(acknowledged)
    row.found = db_count(platform, "credit", "SELECT count(*) FROM bad_record WHERE enterprise_id = "
                        "(SELECT id FROM enterprise WHERE credit_code = ?)", (code,))
    if row.found != count or row.acknowledged != count:
        row.fail(f"{count} distinct requests, {row.acknowledged} acknowledged, {row.found} records")
    return row


def _crash_and_restart(platform: FaultPlatform, name: str) -> None:
    """kill -9 a process, leave it down a moment while clients keep retrying, start it again."""
    platform.stop(name, sig=signal.SIGKILL)
    time.sleep(1.0)
    platform.start(name)


def _first_kind(rules: object) -> str:
    items = rules.get("items", rules) if isinstance(rules, dict) else rules
    if isinstance(items, list) and items and isinstance(items[0], dict):
        for key in ("behaviours", "rules", "kinds"):
            value = items[0].get(key)
            if isinstance(value, list) and value and isinstance(value[0], dict) and "kind" in value[0]:
                return str(value[0]["kind"])
    return "late_performance"


async def fault_postgres(platform: FaultPlatform, client: httpx.AsyncClient) -> Row:
    """4. PostgreSQL restarted, then killed and started again, under load: 503s meanwhile, no service restart."""
    row, run = Row("4 PostgreSQL restart + kill -9"), "PG"
    postgres = platform.postgres
    if postgres is None:
        row.skipped = True
        row.notes.append("skipped: no PostgreSQL binaries (initdb not found under /usr/lib/postgresql/*/bin or on PATH)")
        return row
    count = 300 if QUICK else 1500
    credit = platform.processes["credit"]
    await until_ok(client, "/credit/v1/stats/overview")
    base = baseline(platform)
    statuses: collections.Counter[int] = collections.Counter()
    latencies: list[float] = []
    acknowledged = await write_many(
        client, enterprise_writes(run, count), [(count // 3, postgres.restart), (2 * count // 3, postgres.crash)],
        row, retry=True, latencies=latencies, statuses=statuses)
    await until_ok(client, "/credit/v1/stats/overview")
    after = await client.get("/credit/v1/stats/overview")
    if after.status_code != 200:
        row.fail(f"credit did not answer again: {after.status_code}")
    if platform.processes.get("credit") is not credit or credit.poll() is not None:
        row.fail("the credit process was restarted or died")
    errors = {status: n for status, n in sorted(statuses.items()) if status >= 500}
    if any(status != 503 for status in errors):
        row.fail(f"server errors other than 503 while the database was down: {errors}")
    if not errors:
        row.fail("no request saw the database down (no 503 at all)")
    events_and_found(platform, row, run, acknowledged, base)
    row.notes.append(f"answers while down: {errors}; recovered without a restart (pid {credit.pid})")
    return row


async def fault_slow(platform: FaultPlatform, client: httpx.AsyncClient) -> Row:
    """5. A slow upstream: 504s, the circuit opens (fast 503), half-opens and closes when it recovers."""
    row = Row("5 slow upstream (SIGSTOP)")
    await until_ok(client, "/consult/v1/stats/overview")
    process = platform.processes["consult"]
    os.killpg(process.pid, signal.SIGSTOP)
    codes: list[str] = []
    try:
        for _ in range(8):
            started = time.perf_counter()
            response = await client.get("/consult/v1/stats/overview")
            codes.append(f"{response.status_code}:{response.json().get('code', '')}:{time.perf_counter() - started:.1f}s")
            row.client_errors += 1
    finally:
        os.killpg(process.pid, signal.SIGCONT)
    if not any(c.startswith("504") for c in codes):
        row.fail("no timeout fired")
    if not any("upstream_circuit_open" in c for c in codes):
        row.fail("the circuit never opened")
    recovered = False
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if (await client.get("/consult/v1/stats/overview")).status_code == 200:
            recovered = True
            break
        await asyncio.sleep(0.5)
    if not recovered:
        row.fail("the circuit did not close after the upstream recovered")
    row.notes.append(" ".join(codes[:3]) + " … " + codes[-1] + (" → 200 again" if recovered else ""))
    return row


FAULTS: tuple[Callable[[FaultPlatform, httpx.AsyncClient], Awaitable[Row]], ...] = (
    fault_nats, fault_service, fault_gateway, fault_postgres, fault_slow, fault_webhooks, fault_stream, fault_disk)


async def _run(platform: FaultPlatform, key: str) -> list[Row]:
    rows = []
    async with httpx.AsyncClient(base_url=platform.layout.url("gateway"), timeout=30,
                                 headers={"Authorization": f"Bearer {key}"}) as client:
        for number, fault in enumerate(FAULTS, start=1):
            if ONLY and str(number) not in ONLY:
                continue
            rows.append(await fault(platform, client))
            print(format_table(rows[-1:]).splitlines()[2], flush=True)
    return rows


def _private_postgres() -> PrivatePostgres | None:
    """The suite's own PostgreSQL, started, or None when no binaries are installed."""
    binaries = find_binaries()
    return PrivatePostgres(binaries).start() if binaries is not None else None


def main() -> int:
    """Run every fault and print the table; 1 when a promise was broken."""
    with tempfile.TemporaryDirectory(prefix="bianmin-reliability-") as tmp:
        var = Path(tmp)
        nats = local_nats(var).start()
        postgres = _private_postgres()
        layout = free_layout(var, nats.url)
        layout.extra_env.update({"BIANMIN_GATEWAY_READ_TIMEOUT_SECONDS": "1.5", "BIANMIN_GATEWAY_BREAKER_FAILURE_THRESHOLD": "3",
                                 "BIANMIN_GATEWAY_BREAKER_RESET_SECONDS": "3", "BIANMIN_GATEWAY_DEFAULT_RATE_LIMIT": "1000000/minute"})
        layout.extra_env.update(STREAM_FAULT_ENV)
        platform = FaultPlatform(layout, nats=nats, postgres=postgres)
        try:
            if postgres is not None:
                layout.database_urls["credit"] = postgres.create_database("bianmin_credit")
            platform.start_all()
            key = create_key(layout, name="reliability", tenant="*", scopes=["admin"])
            import_sites(layout.url("gateway"), key, demo_sites_csv())
            wait_until_registries_agree(layout.url("gateway"))
            rows = asyncio.run(_run(platform, key))
        finally:
            platform.stop_all()
            nats.stop()
            if postgres is not None:
                postgres.stop()
    print()
    print(format_table(rows))
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
