"""The fault suite: real processes (``bianmin.kit.localrun``), real crashes, and a table of what survived.

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
It prints one row per fault and exits non-zero when a promise was broken. ``RELIABILITY=quick`` is
CI's shorter setting (fault 1 with 300 writes instead of 5,000). A new fault is an ``async (platform,
client) -> Row`` function added to ``FAULTS``; ``RELIABILITY_FAULTS=4`` runs only the fourth.
"""

from __future__ import annotations

import asyncio
import collections
import os
import signal
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from bianmin.kit.identifiers import with_uscc_check
from bianmin.kit.localrun import Layout, Platform, create_key, free_layout, local_nats
from bianmin.kit.testing.nats import NatsServer

from .postgres import PrivatePostgres, find_binaries
from .rows import Row, format_table
from .webhooks_fault import fault_webhooks

QUICK = os.environ.get("RELIABILITY", "").lower() == "quick"
# RELIABILITY_FAULTS=2,4 runs only those faults (numbered as in FAULTS, from 1), e.g. while working on one.
ONLY = {part.strip() for part in os.environ.get("RELIABILITY_FAULTS", "").split(",") if part.strip()}
WRITES = int(os.environ.get("RELIABILITY_WRITES", "300" if QUICK else "5000"))
CONCURRENCY = 8
SUBJECT = "credit.enterprise.color_changed"
CONSUMERS = ("bidding", "guarantee")


class FaultPlatform(Platform):
    """The processes under test, and the private PostgreSQL that some of them use (None: all on SQLite)."""

    def __init__(self, layout: Layout, *, nats: NatsServer, postgres: PrivatePostgres | None) -> None:
        super().__init__(layout, nats=nats)
        self.postgres = postgres


def _count(platform: FaultPlatform, name: str, sql: str, params: tuple[object, ...] = ()) -> int:
    """One integer from a service's database (``?`` placeholders), on SQLite or the private PostgreSQL."""
    url = platform.layout.database_url(name)
    if platform.postgres is not None and url.startswith("postgresql"):
        return platform.postgres.count(url.rsplit("/", 1)[1], sql, params)
    with sqlite3.connect(url.split("///", 1)[1], timeout=30) as connection:
        return int(connection.execute(sql, params).fetchone()[0])


def _code(run: str, n: int) -> str:
    return with_uscc_check(f"91330199{run}{n:07d}")


async def _write_many(client: httpx.AsyncClient, paths_bodies: list[tuple[str, dict[str, object], str]],
                      during: list[tuple[int, object]], row: Row, *, retry: bool = False,
                      latencies: list[float] | None = None, statuses: collections.Counter[int] | None = None) -> set[str]:
    """POST each body (with its Idempotency-Key); run the fault actions at the given counts. The keys acknowledged."""
    acknowledged: set[str] = set()
    done = 0
    queue: asyncio.Queue[tuple[str, dict[str, object], str]] = asyncio.Queue()
    for item in paths_bodies:
        queue.put_nowait(item)
    actions = sorted(during, key=lambda a: a[0])

    async def worker() -> None:
        nonlocal done
        while not queue.empty():
            path, body, key = queue.get_nowait()
            for _attempt in range(200 if retry else 1):
                started = time.perf_counter()
                try:
                    response = await client.post(path, json=body, headers={"Idempotency-Key": key})
                except httpx.HTTPError:
                    row.client_errors += 1
                    await asyncio.sleep(0.2)
                    continue
                if statuses is not None:
                    statuses[response.status_code] += 1
                if latencies is not None and response.status_code >= 500:
                    latencies.append(time.perf_counter() - started)
                    if not response.headers.get("content-type", "").startswith("application/problem+json"):
                        row.fail(f"a {response.status_code} was not problem+json")
                if 200 <= response.status_code < 300:
                    acknowledged.add(key)
                    break
                row.client_errors += 1
                if response.status_code < 500 and response.status_code != 429:
                    row.fail(f"{path} answered {response.status_code}: {response.text[:120]}")
                    break
                if retry:
                    await asyncio.sleep(0.2)
            done += 1
            while actions and done >= actions[0][0]:
                _, action = actions.pop(0)
                await asyncio.to_thread(action)  # type: ignore[arg-type]

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    for _, action in actions:
        await asyncio.to_thread(action)  # type: ignore[arg-type]
    return acknowledged


def _enterprise_writes(run: str, count: int) -> list[tuple[str, dict[str, object], str]]:
    return [("/credit/v1/enterprises", {"credit_code": _code(run, n), "name": f"便民区{n}号建设有限公司"}, f"{run}-{n}")
            for n in range(count)]


def _wait_consumed(platform: FaultPlatform, run: str, produced: int, timeout: float) -> dict[str, int]:
    """Each consumer's inbox count of this run's events, once all arrived or at the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        counts = {name: _count(platform, name, "SELECT count(*) FROM inbox_event WHERE subject = ?", (SUBJECT,))
                  for name in CONSUMERS}
        if all(c >= produced for c in counts.values()) or time.monotonic() > deadline:
            return counts
        time.sleep(0.5)


def _events_and_found(platform: FaultPlatform, row: Row, run: str, acknowledged: set[str], base: dict[str, int]) -> None:
    like = f"91330199{run}%"
    row.found = _count(platform, "credit", "SELECT count(*) FROM enterprise WHERE credit_code LIKE ?", (like,))
    distinct = _count(platform, "credit", "SELECT count(DISTINCT credit_code) FROM enterprise WHERE credit_code LIKE ?", (like,))
    row.acknowledged = len(acknowledged)
    if row.found < row.acknowledged:
        row.fail(f"{row.acknowledged - row.found} acknowledged writes are missing")
    if distinct != row.found:
        row.fail("an enterprise was written twice")
    produced_now = _count(platform, "credit", "SELECT count(*) FROM outbox_event WHERE subject = ?", (SUBJECT,))
    row.produced = produced_now - base["produced"]
    counts = _wait_consumed(platform, run, produced_now, 60 if QUICK else 180)
    consumed = {name: counts[name] - base[name] for name in CONSUMERS}
    row.consumed = min(consumed.values())
    row.applied_twice = sum(max(0, c - row.produced) for c in consumed.values())
    for name, count in consumed.items():
        if count < row.produced:
            row.fail(f"{name} consumed {count} of {row.produced} events")


def _baseline(platform: FaultPlatform) -> dict[str, int]:
    base = {name: _count(platform, name, "SELECT count(*) FROM inbox_event WHERE subject = ?", (SUBJECT,))
            for name in CONSUMERS}
    base["produced"] = _count(platform, "credit", "SELECT count(*) FROM outbox_event WHERE subject = ?", (SUBJECT,))
    return base


async def fault_nats(platform: FaultPlatform, client: httpx.AsyncClient) -> Row:
    """1. kill -9 of nats-server during event-producing writes, then a restart."""
    row, run = Row("1 nats-server kill -9"), "NA"
    base = _baseline(platform)
    assert platform.nats is not None
    nats = platform.nats
    acknowledged = await _write_many(client, _enterprise_writes(run, WRITES),
                                     [(WRITES // 3, nats.kill), (2 * WRITES // 3, nats.start)], row, retry=True)
    _events_and_found(platform, row, run, acknowledged, base)
    return row


async def fault_service(platform: FaultPlatform, client: httpx.AsyncClient) -> Row:
    """2. kill -9 of a service during load: quick 503s while down, every acknowledged write kept."""
    row, run = Row("2 credit service kill -9"), "QR"
    count = 150 if QUICK else 600
    latencies: list[float] = []
    await _until_ok(client, "/credit/v1/stats/overview")
    base = _baseline(platform)
    acknowledged = await _write_many(
        client, _enterprise_writes(run, count),
        [(count // 3, lambda: platform.stop("credit", sig=signal.SIGKILL)), (2 * count // 3, lambda: platform.start("credit"))],
        row, latencies=latencies)
    _events_and_found(platform, row, run, acknowledged, base)
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
    code = _code(run, 0)
    await _until_ok(client, "/credit/v1/stats/overview")
    await client.post("/credit/v1/enterprises", json={"credit_code": code, "name": "便民区重试建设有限公司"})
    count = 120 if QUICK else 500
    writes = [(f"/credit/v1/enterprises/{code}/records",
               {"kind": "late_performance", "occurred_on": "2026-02-20", "evidence": f"通报{n}"}, f"{run}-{uuid.uuid4().hex}")
              for n in range(count)]
    kinds = (await client.get("/credit/v1/rules")).json()
    kind = _first_kind(kinds)
    for _, body, _ in writes:
        body["kind"] = kind
    acknowledged = await _write_many(
        client, writes,
        [(count // 3, lambda: _crash_and_restart(platform, "gateway"))], row, retry=True)
    row.acknowledged = len(acknowledged)
    row.found = _count(platform, "credit", "SELECT count(*) FROM bad_record WHERE enterprise_id = "
                        "(SELECT id FROM enterprise WHERE credit_code = ?)", (code,))
    if row.found != count or row.acknowledged != count:
        row.fail(f"{count} distinct requests, {row.acknowledged} acknowledged, {row.found} records")
    return row


def _crash_and_restart(platform: FaultPlatform, name: str) -> None:
    """kill -9 a process, leave it down a moment while clients keep retrying, start it again."""
    platform.stop(name, sig=signal.SIGKILL)
    time.sleep(1.0)
    platform.start(name)


async def _until_ok(client: httpx.AsyncClient, path: str, timeout: float = 30.0) -> None:
    """Wait until a GET through the gateway answers 200 (a circuit opened by the previous fault closes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (await client.get(path)).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.5)


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
    await _until_ok(client, "/credit/v1/stats/overview")
    base = _baseline(platform)
    statuses: collections.Counter[int] = collections.Counter()
    latencies: list[float] = []
    acknowledged = await _write_many(
        client, _enterprise_writes(run, count), [(count // 3, postgres.restart), (2 * count // 3, postgres.crash)],
        row, retry=True, latencies=latencies, statuses=statuses)
    await _until_ok(client, "/credit/v1/stats/overview")
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
    _events_and_found(platform, row, run, acknowledged, base)
    row.notes.append(f"answers while down: {errors}; recovered without a restart (pid {credit.pid})")
    return row


async def fault_slow(platform: FaultPlatform, client: httpx.AsyncClient) -> Row:
    """5. A slow upstream: 504s, the circuit opens (fast 503), half-opens and closes when it recovers."""
    row = Row("5 slow upstream (SIGSTOP)")
    await _until_ok(client, "/consult/v1/stats/overview")
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
    fault_nats, fault_service, fault_gateway, fault_postgres, fault_slow, fault_webhooks)


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
        platform = FaultPlatform(layout, nats=nats, postgres=postgres)
        try:
            if postgres is not None:
                layout.database_urls["credit"] = postgres.create_database("bianmin_credit")
            platform.start_all()
            key = create_key(layout, name="reliability", tenant="*", scopes=["admin"])
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
