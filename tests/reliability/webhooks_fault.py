"""Fault 6: ``kill -9`` of the webhooks deliverer mid-retry; after a restart every event arrives.

A local receiver answers 500 while it "is down". The fault restarts the webhooks process with short
retry settings, registers an endpoint through the gateway (an admin key, so district-wide events
reach it), creates enterprises in credit (each publishes ``credit.enterprise.color_changed``), waits
until the deliverer is retrying, ``kill -9``s it, creates more enterprises while it is down, starts it
again, lets it fail a little longer, then lets the receiver recover. Every event of the run must
arrive with a 2xx answer under one ``webhook-id`` per event (at least once: a request cut off by the
kill may arrive twice, with the same id), each signature must verify, and nothing is lost.

It is the suite's sixth fault; alone: ``RELIABILITY_FAULTS=6 make reliability``.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from typing import Any

import httpx

from bianmin.kit.identifiers import with_uscc_check
from bianmin.testing.localrun import Platform
from bianmin.testing.receiver import Receiver, signature_valid

from .rows import Row

NAME = "webhooks"
BEFORE_KILL = 30
WHILE_DOWN = 10
# Short periods so the fault runs in seconds: retried for two minutes, never disabled during the run.
ENV = {"BIANMIN_WEBHOOKS_POLL_SECONDS": "0.1", "BIANMIN_WEBHOOKS_BACKOFF_BASE_SECONDS": "0.2",
       "BIANMIN_WEBHOOKS_BACKOFF_MAX_SECONDS": "1", "BIANMIN_WEBHOOKS_RETRY_PERIOD_SECONDS": "120",
       "BIANMIN_WEBHOOKS_DISABLE_AFTER_SECONDS": "600", "BIANMIN_WEBHOOKS_CONNECT_TIMEOUT_SECONDS": "1",
       "BIANMIN_WEBHOOKS_READ_TIMEOUT_SECONDS": "2", "BIANMIN_WEBHOOKS_LEASE_SECONDS": "5"}


PATH = "/bianmin"


async def _create(client: httpx.AsyncClient, run: str, numbers: range) -> set[str]:
    """Create enterprises (retrying through short outages); the credit codes acknowledged."""
    acknowledged = set()
    for n in numbers:
        code = with_uscc_check(f"91330199{run}{n:07d}")
        for _ in range(50):
            try:
                response = await client.post("/credit/v1/enterprises", headers={"Idempotency-Key": f"{run}-{n}"},
                                             json={"credit_code": code, "name": f"便民区{n}号回调测试有限公司"})
            except httpx.HTTPError:
                await asyncio.sleep(0.2)
                continue
            if response.status_code in (200, 201):
                acknowledged.add(code)
                break
            await asyncio.sleep(0.2)
    return acknowledged


async def _until(check: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.2)
    return False


async def fault_webhooks(platform: Platform, client: httpx.AsyncClient) -> Row:
    """6. kill -9 of the webhooks deliverer mid-retry, a restart, a receiver that recovers: every event arrives."""
    row = Row("6 webhooks deliverer kill -9")
    run = "WH"
    await asyncio.to_thread(platform.stop, NAME)
    await asyncio.to_thread(platform.start, NAME, extra_env=ENV)
    healthy = False
    with Receiver() as receiver:
        receiver.respond(PATH, lambda _n: (204 if healthy else 500, 0.0))

        def failed() -> int:
            return sum(1 for r in receiver.received(PATH) if r.answered >= 500)

        registered = None
        for _ in range(50):  # the gateway's circuit to the restarted service may still be cooling down
            registered = await client.post("/webhooks/v1/endpoints", json={
                "url": receiver.url(PATH), "event_types": ["credit.enterprise.color_changed"],
                "description": "fault suite receiver"})
            if registered.status_code == 201:
                break
            await asyncio.sleep(0.3)
        if registered is None or registered.status_code != 201:
            row.fail(f"registering the endpoint answered {registered.status_code if registered else 'nothing'}")
            return row
        secret = registered.json()["secret"]
        codes = await _create(client, run, range(BEFORE_KILL))
        if not await _until(lambda: failed() >= BEFORE_KILL, 60):
            row.notes.append(f"only {failed()} failed attempts before the kill")
        await asyncio.to_thread(platform.stop, NAME, sig=signal.SIGKILL)
        failed_at_kill = failed()
        codes |= await _create(client, run, range(BEFORE_KILL, BEFORE_KILL + WHILE_DOWN))
        await asyncio.to_thread(platform.start, NAME, extra_env=ENV)
        await asyncio.sleep(2.0)  # retries keep failing after the restart
        healthy = True
        row.acknowledged = len(codes)
        row.produced = BEFORE_KILL + WHILE_DOWN

        def arrived() -> dict[str, set[str]]:
            ids: dict[str, set[str]] = {}
            for request in receiver.received(PATH, answered_ok=True):
                code = json.loads(request.body)["data"]["credit_code"]
                if code in codes:
                    ids.setdefault(code, set()).add(request.headers["webhook-id"])
            return ids

        await _until(lambda: len(arrived()) >= len(codes), 90)
        ids = arrived()
        ours = [(r.headers, r.body) for r in receiver.received(PATH, answered_ok=True)
                if json.loads(r.body)["data"]["credit_code"] in codes]
        errors = failed()
    row.found = len(ids)
    row.consumed = len({h["webhook-id"] for h, _ in ours})
    row.applied_twice = len(ours) - row.consumed
    row.client_errors = errors
    row.notes.append(f"{failed_at_kill} answers of 500 before the kill, {errors} in all; "
                     f"{row.applied_twice} repeated deliveries (same webhook-id)")
    if row.acknowledged != row.produced:
        row.fail(f"{row.produced} enterprises written, {row.acknowledged} acknowledged")
    if row.found != len(codes):
        row.fail(f"{len(codes) - row.found} of {len(codes)} events never arrived")
    if any(len(found) > 1 for found in ids.values()):
        row.fail("an event arrived under two webhook-ids")
    if not all(signature_valid(secret, h, b) for h, b in ours):
        row.fail("a signature did not verify")
    if failed_at_kill == 0:
        row.fail("the kill did not happen mid-retry")
    return row
