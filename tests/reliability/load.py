"""What the faults share: the platform under test, the load they put on it, and the checks of what survived.

The load is enterprises registered in credit through the gateway (each publishes
``credit.enterprise.color_changed``, which bidding and guarantee consume); the checks read the
services' databases directly: every acknowledged write present once, every event in each
consumer's inbox once.
"""

from __future__ import annotations

import asyncio
import collections
import os
import sqlite3
import time

import httpx

from bianmin.kit.identifiers import with_uscc_check
from bianmin.testing.localrun import Layout, Platform
from bianmin.testing.nats import NatsServer

from .postgres import PrivatePostgres
from .rows import Row

QUICK = os.environ.get("RELIABILITY", "").lower() == "quick"
WRITES = int(os.environ.get("RELIABILITY_WRITES", "300" if QUICK else "5000"))
CONCURRENCY = 8
SUBJECT = "credit.enterprise.color_changed"
CONSUMERS = ("bidding", "guarantee")


class FaultPlatform(Platform):
    """The processes under test, and the private PostgreSQL that some of them use (None: all on SQLite)."""

    def __init__(self, layout: Layout, *, nats: NatsServer, postgres: PrivatePostgres | None) -> None:
        super().__init__(layout, nats=nats)
        self.postgres = postgres


def db_count(platform: FaultPlatform, name: str, sql: str, params: tuple[object, ...] = ()) -> int:
    """One integer from a service's database (``?`` placeholders), on SQLite or the private PostgreSQL."""
    url = platform.layout.database_url(name)
    if platform.postgres is not None and url.startswith("postgresql"):
        return platform.postgres.count(url.rsplit("/", 1)[1], sql, params)
    with sqlite3.connect(url.split("///", 1)[1], timeout=30) as connection:
        return int(connection.execute(sql, params).fetchone()[0])


def credit_code(run: str, n: int) -> str:
    return with_uscc_check(f"91330199{run}{n:07d}")


async def write_many(client: httpx.AsyncClient, paths_bodies: list[tuple[str, dict[str, object], str]],
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


def enterprise_writes(run: str, count: int) -> list[tuple[str, dict[str, object], str]]:
    return [("/credit/v1/enterprises", {"credit_code": credit_code(run, n), "name": f"便民区{n}号建设有限公司"}, f"{run}-{n}")
            for n in range(count)]


def wait_consumed(platform: FaultPlatform, run: str, produced: int, timeout: float) -> dict[str, int]:
    """Each consumer's inbox count of this run's events, once all arrived or at the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        counts = {name: db_count(platform, name, "SELECT count(*) FROM inbox_event WHERE subject = ?", (SUBJECT,))
                  for name in CONSUMERS}
        if all(c >= produced for c in counts.values()) or time.monotonic() > deadline:
            return counts
        time.sleep(0.5)


def events_and_found(platform: FaultPlatform, row: Row, run: str, acknowledged: set[str], base: dict[str, int]) -> None:
    like = f"91330199{run}%"
    row.found = db_count(platform, "credit", "SELECT count(*) FROM enterprise WHERE credit_code LIKE ?", (like,))
    distinct = db_count(platform, "credit", "SELECT count(DISTINCT credit_code) FROM enterprise WHERE credit_code LIKE ?", (like,))
    row.acknowledged = len(acknowledged)
    if row.found < row.acknowledged:
        row.fail(f"{row.acknowledged - row.found} acknowledged writes are missing")
    if distinct != row.found:
        row.fail("an enterprise was written twice")
    produced_now = db_count(platform, "credit", "SELECT count(*) FROM outbox_event WHERE subject = ?", (SUBJECT,))
    row.produced = produced_now - base["produced"]
    counts = wait_consumed(platform, run, produced_now, 60 if QUICK else 180)
    consumed = {name: counts[name] - base[name] for name in CONSUMERS}
    row.consumed = min(consumed.values())
    row.applied_twice = sum(max(0, c - row.produced) for c in consumed.values())
    for name, count in consumed.items():
        if count < row.produced:
            row.fail(f"{name} consumed {count} of {row.produced} events")


def baseline(platform: FaultPlatform) -> dict[str, int]:
    base = {name: db_count(platform, name, "SELECT count(*) FROM inbox_event WHERE subject = ?", (SUBJECT,))
            for name in CONSUMERS}
    base["produced"] = db_count(platform, "credit", "SELECT count(*) FROM outbox_event WHERE subject = ?", (SUBJECT,))
    return base


async def until_ok(client: httpx.AsyncClient, path: str, timeout: float = 30.0) -> None:
    """Wait until a GET through the gateway answers 200 (a circuit opened by the previous fault closes)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if (await client.get(path)).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.5)
