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
import base64
import hashlib
import hmac
import json
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from bianmin.kit.identifiers import with_uscc_check
from bianmin.kit.localrun import Platform

from .rows import Row

NAME = "webhooks"
BEFORE_KILL = 30
WHILE_DOWN = 10
# Short periods so the fault runs in seconds: retried for two minutes, never disabled during the run.
ENV = {"BIANMIN_WEBHOOKS_POLL_SECONDS": "0.1", "BIANMIN_WEBHOOKS_BACKOFF_BASE_SECONDS": "0.2",
       "BIANMIN_WEBHOOKS_BACKOFF_MAX_SECONDS": "1", "BIANMIN_WEBHOOKS_RETRY_PERIOD_SECONDS": "120",
       "BIANMIN_WEBHOOKS_DISABLE_AFTER_SECONDS": "600", "BIANMIN_WEBHOOKS_CONNECT_TIMEOUT_SECONDS": "1",
       "BIANMIN_WEBHOOKS_READ_TIMEOUT_SECONDS": "2", "BIANMIN_WEBHOOKS_LEASE_SECONDS": "5"}


class FlakyReceiver:
    """An HTTP receiver that answers 500 until it recovers, recording every request."""

    def __init__(self) -> None:
        self.healthy = False
        self.failed = 0
        self.accepted: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver.lock:
                    if receiver.healthy:
                        receiver.accepted.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    else:
                        receiver.failed += 1
                    status = 204 if receiver.healthy else 500
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/bianmin"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)

    def __enter__(self) -> FlakyReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check, with the standard library only (as the README shows receivers)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, part.removeprefix("v1,")) for part in headers["webhook-signature"].split())


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
    with FlakyReceiver() as receiver:
        registered = None
        for _ in range(50):  # the gateway's circuit to the restarted service may still be cooling down
            registered = await client.post("/webhooks/v1/endpoints", json={
                "url": receiver.url, "event_types": ["credit.enterprise.color_changed"],
                "description": "fault suite receiver"})
            if registered.status_code == 201:
                break
            await asyncio.sleep(0.3)
        if registered is None or registered.status_code != 201:
            row.fail(f"registering the endpoint answered {registered.status_code if registered else 'nothing'}")
            return row
        secret = registered.json()["secret"]
        codes = await _create(client, run, range(BEFORE_KILL))
        if not await _until(lambda: receiver.failed >= BEFORE_KILL, 60):
            row.notes.append(f"only {receiver.failed} failed attempts before the kill")
        await asyncio.to_thread(platform.stop, NAME, sig=signal.SIGKILL)
        failed_at_kill = receiver.failed
        codes |= await _create(client, run, range(BEFORE_KILL, BEFORE_KILL + WHILE_DOWN))
        await asyncio.to_thread(platform.start, NAME, extra_env=ENV)
        await asyncio.sleep(2.0)  # retries keep failing after the restart
        receiver.healthy = True
        row.acknowledged = len(codes)
        row.produced = BEFORE_KILL + WHILE_DOWN

        def arrived() -> dict[str, set[str]]:
            ids: dict[str, set[str]] = {}
            with receiver.lock:
                accepted = list(receiver.accepted)
            for headers, body in accepted:
                code = json.loads(body)["data"]["credit_code"]
                if code in codes:
                    ids.setdefault(code, set()).add(headers["webhook-id"])
            return ids

        await _until(lambda: len(arrived()) >= len(codes), 90)
        ids = arrived()
        with receiver.lock:
            ours = [(h, b) for h, b in receiver.accepted if json.loads(b)["data"]["credit_code"] in codes]
    row.found = len(ids)
    row.consumed = len({h["webhook-id"] for h, _ in ours})
    row.applied_twice = len(ours) - row.consumed
    row.client_errors = receiver.failed
    row.notes.append(f"{failed_at_kill} answers of 500 before the kill, {receiver.failed} in all; "
                     f"{row.applied_twice} repeated deliveries (same webhook-id)")
    if row.acknowledged != row.produced:
        row.fail(f"{row.produced} enterprises written, {row.acknowledged} acknowledged")
    if row.found != len(codes):
        row.fail(f"{len(codes) - row.found} of {len(codes)} events never arrived")
    if any(len(found) > 1 for found in ids.values()):
        row.fail("an event arrived under two webhook-ids")
    if not all(_verified(secret, h, b) for h, b in ours):
        row.fail("a signature did not verify")
    if failed_at_kill == 0:
        row.fail("the kill did not happen mid-retry")
    return row
