"""Fault 8: credit's disk filled under load; answers are 503 ``storage_full``, never 500, and readiness fails.

Issue 17, finding 8: with SQLite's disk full, 1,227 answers were 500 (not the promised 503) and
``/readyz`` said ready. Credit is restarted with its SQLite database on a small tmpfs of the suite's
own (``bianmin.testing.disk``, the mechanism of ``kit/tests/test_storage_full.py``), which is
then really filled with a ballast file while clients keep registering enterprises through the
gateway. Every 5xx must be a 503 problem+json with code ``storage_full`` (at least one must come),
credit's ``/readyz`` must fail with ``storage: full``; once the ballast is removed readiness must
come back by itself, the refused writes must succeed when retried with their ``Idempotency-Key``,
and every acknowledged write must be in the database once. Credit then goes back to its own
database. Skipped, with a row saying so, where the suite may not mount a file system (not root).
Alone: ``RELIABILITY_FAULTS=8 make reliability``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import sqlite3
import time
from pathlib import Path

import httpx

from bianmin.testing import disk

from .load import CONCURRENCY, QUICK, FaultPlatform, credit_code, until_ok
from .rows import Row

NAME = "credit"
RUN = "DF"


async def _register(client: httpx.AsyncClient, n: int) -> httpx.Response | None:
    try:
        return await client.post("/credit/v1/enterprises", headers={"Idempotency-Key": f"{RUN}-{n}"},
                                  json={"credit_code": credit_code(RUN, n), "name": f"便民区{n}号满盘测试有限公司"})
    except httpx.HTTPError:
        return None


async def _readiness(url: str) -> tuple[int, str]:
    async with httpx.AsyncClient(timeout=5) as client:
        answer = await client.get(f"{url}/readyz")
    return answer.status_code, answer.json().get("checks", {}).get("storage", "")


async def fault_disk(platform: FaultPlatform, client: httpx.AsyncClient) -> Row:
    """8. credit's disk filled under load: 503 storage_full (never 500), readiness fails, then recovers."""
    row = Row("8 credit disk full")
    count = 60 if QUICK else 300
    folder = platform.layout.var / "credit-disk"
    try:
        with disk.small_disk(folder, size_mib=16) as mounted:
            database = mounted / "credit.db"
            platform.stop(NAME)
            try:
                platform.start(NAME, extra_env={"BIANMIN_CREDIT_DATABASE_URL": f"sqlite+aiosqlite:///{database}"})
                await until_ok(client, "/credit/v1/stats/overview")
                await _fill_and_recover(platform, client, row, count, mounted)
                row.found = _count_on(database)
                if row.found != row.acknowledged:
                    row.fail(f"{row.acknowledged} writes acknowledged, {row.found} in the database")
            finally:
                platform.stop(NAME)
    except disk.MountRefused as refused:
        row.skipped = True
        row.notes.append(f"skipped: {refused}")
        return row
    finally:
        if NAME not in platform.processes:
            platform.start(NAME)
    return row


async def _fill_and_recover(platform: FaultPlatform, client: httpx.AsyncClient, row: Row, count: int,
                            mounted: Path) -> None:
    """Register ``count`` enterprises with eight clients at once, filling the disk a third of the way in."""
    statuses: collections.Counter[str] = collections.Counter()
    acknowledged: set[int] = set()
    refused: list[int] = []
    readiness: list[tuple[int, str]] = []
    numbers = iter(range(count))

    async def worker() -> None:
        for n in numbers:
            if n == count // 3:
                disk.fill(mounted)
            answer = await _register(client, n)
            if answer is None:
                row.client_errors += 1
                refused.append(n)
                continue
            code = _code_of(answer)
            statuses[f"{answer.status_code} {code}".strip()] += 1
            if answer.status_code in (200, 201):
                acknowledged.add(n)
                continue
            row.client_errors += 1
            refused.append(n)
            if answer.status_code >= 500 and not _storage_full(answer):
                row.fail(f"a {answer.status_code} {code or answer.text[:80]} while the disk was full")
            if answer.status_code == 503 and len(readiness) < 3:
                readiness.append(await _readiness(platform.layout.url(NAME)))

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    if not statuses["503 storage_full"]:
        row.fail(f"no write was refused with 503 storage_full on a full disk ({dict(statuses)})")
    if not readiness or any(seen != (503, "full") for seen in readiness):
        row.fail(f"readiness while the disk was full: {readiness}")
    disk.free(mounted)
    recovered = await _until_ready(platform.layout.url(NAME), timeout=20)
    if recovered is None:
        row.fail("readiness did not come back after the disk had room again")
    for n in refused:
        for _ in range(20):
            answer = await _register(client, n)
            if answer is not None and answer.status_code in (200, 201):
                acknowledged.add(n)
                break
            await asyncio.sleep(0.2)
        else:
            row.fail(f"write {n} still refused after the disk had room again")
    row.acknowledged = len(acknowledged)
    row.notes.append(f"answers on the full disk: {dict(statuses)}; readiness then {readiness[:1]}, ready again "
                     f"{'never' if recovered is None else f'{recovered:.1f} s'} after the ballast went")


def _storage_full(answer: httpx.Response) -> bool:
    """A 503 problem+json ``storage_full`` that says when to retry."""
    return (answer.status_code == 503 and _code_of(answer) == "storage_full" and bool(answer.headers.get("retry-after"))
            and answer.headers.get("content-type", "").startswith("application/problem+json"))


async def _until_ready(url: str, timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with contextlib.suppress(httpx.HTTPError, ValueError):
            if await _readiness(url) == (200, "ok"):
                return time.monotonic() - started
        await asyncio.sleep(0.2)
    return None


def _code_of(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("code", ""))
    except ValueError:
        return ""


def _count_on(database: Path) -> int:
    with sqlite3.connect(str(database), timeout=30) as connection:
        return int(connection.execute("SELECT count(*) FROM enterprise WHERE credit_code LIKE ?",
                                      (f"91330199{RUN}%",)).fetchone()[0])
