"""Fault 7: credit's stream deleted under load, then deleted and held off; no event is lost.

Issue 17, finding 8: with the CREDIT stream deleted, acknowledged writes waited in the outbox while
``/readyz`` said ready, until a full restart recreated the stream. Two phases, under the suite's
load (enterprises registered in credit, whose ``color_changed`` events bidding and guarantee consume):

1. the CREDIT stream is deleted twice while writes go on. Credit's relay (or a consumer) creates it
   again and the relay sends again what the deleted stream held, with no restart of anything;
2. the stream is deleted and another stream squats on part of its subjects, so JetStream refuses to
   create it again: NATS is up but credit's events cannot go anywhere. Writes are still
   acknowledged; credit's ``/readyz`` (polled directly all along) must report the backlog growing
   and fail with ``outbox: stuck`` once the events are older than the suite's stuck threshold, then
   be ready again, with nothing pending, after the squatter goes.

Every acknowledged write must then be in credit once and its event in both consumers' inboxes once.
Alone: ``RELIABILITY_FAULTS=7 make reliability``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

import httpx
import nats
from nats.aio.client import Client
from nats.js.errors import BadRequestError, NotFoundError

from bianmin.kit.events.access import OPS_USER
from bianmin.testing.nats import NatsServer

from .load import QUICK, FaultPlatform, baseline, enterprise_writes, events_and_found, until_ok, write_many
from .rows import Row

STREAM = "CREDIT"
SQUATTER = "SQUATTER"
# Credit's readiness settings for the suite (``main`` passes them): a short stuck threshold and a
# backlog counted often, so the fault takes seconds.
STUCK_SECONDS = 5.0
ENV = {"BIANMIN_CREDIT_OUTBOX_STUCK_SECONDS": str(STUCK_SECONDS), "BIANMIN_CREDIT_OUTBOX_CHECK_SECONDS": "0.3"}
HELD_OFF_WRITES = 30


@dataclass
class Readiness:
    """Credit's ``/readyz`` answers, sampled every few tenths of a second while the fault runs."""

    url: str
    samples: list[tuple[float, int, str, int | None, float | None]] = field(default_factory=list)
    refusals: list[tuple[float, dict[str, str]]] = field(default_factory=list)

    async def poll(self) -> None:
        """Sample until cancelled: time, status, outbox check, pending, oldest age."""
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                with contextlib.suppress(httpx.HTTPError, ValueError):
                    answer = await client.get(f"{self.url}/readyz")
                    body = answer.json()
                    outbox = body.get("outbox") or {}
                    checks = body.get("checks", {})
                    self.samples.append((time.monotonic(), answer.status_code, checks.get("outbox", ""),
                                         outbox.get("pending"), outbox.get("oldest_pending_seconds")))
                    if answer.status_code != 200:
                        self.refusals.append((time.monotonic(), checks))
                await asyncio.sleep(0.2)

    def since(self, start: float) -> list[tuple[float, int, str, int | None, float | None]]:
        """The samples taken after ``start``."""
        return [s for s in self.samples if s[0] >= start]


async def _as_operator(server: NatsServer) -> Client:
    """A connection as the ``ops`` user: deleting and squatting streams is the operator's (or an attacker's) act."""
    return await nats.connect(server.url, nkeys_seed_str=server.seed(OPS_USER))


async def _delete(server: NatsServer) -> None:
    nc = await _as_operator(server)
    try:
        with contextlib.suppress(NotFoundError):
            await nc.jetstream().delete_stream(STREAM)
    finally:
        await nc.close()


async def _hold_off(server: NatsServer) -> int:
    """Delete the stream and put a squatter on ``credit.squatted.>`` before anyone recreates it; the tries."""
    nc = await _as_operator(server)
    js = nc.jetstream()
    try:
        for attempt in range(1, 101):
            with contextlib.suppress(NotFoundError):
                await js.delete_stream(STREAM)
            try:
                await js.add_stream(name=SQUATTER, subjects=["credit.squatted.>"])
                return attempt
            except BadRequestError:
                await asyncio.sleep(0.05)  # the relay or a consumer recreated it in between
        raise RuntimeError("could not hold the CREDIT stream off")
    finally:
        await nc.close()


async def _let_go(server: NatsServer) -> None:
    nc = await _as_operator(server)
    try:
        await nc.jetstream().delete_stream(SQUATTER)
    finally:
        await nc.close()


async def _wait_for(readiness: Readiness, start: float, check: str, timeout: float) -> float | None:
    """Seconds from ``start`` until a sample says ``check`` (with 503 for stuck, 200 and nothing pending for ok)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for at, status, outbox, pending, _ in readiness.since(start):
            if check == "stuck" and status == 503 and outbox == "stuck":
                return at - start
            if check == "ok" and status == 200 and outbox == "ok" and pending == 0:
                return at - start
        await asyncio.sleep(0.2)
    return None


async def fault_stream(platform: FaultPlatform, client: httpx.AsyncClient) -> Row:
    """7. CREDIT deleted twice under load, then deleted and held off: events kept, readiness truthful."""
    row, run = Row("7 CREDIT stream deleted"), "DL"
    assert platform.nats is not None
    server = platform.nats
    count = 150 if QUICK else 600
    await until_ok(client, "/credit/v1/stats/overview")
    base = baseline(platform)
    readiness = Readiness(platform.layout.url("credit"))
    poller = asyncio.create_task(readiness.poll())
    try:
        writes = enterprise_writes(run, count + HELD_OFF_WRITES)
        acknowledged = await write_many(
            client, writes[:count],
            [(count // 3, lambda: asyncio.run(_delete(server))), (2 * count // 3, lambda: asyncio.run(_delete(server)))],
            row, retry=True)
        holding = time.monotonic()
        tries = await _hold_off(server)
        held_off = time.monotonic()
        acknowledged |= await write_many(client, writes[count:], [], row, retry=True)
        stuck_after = await _wait_for(readiness, held_off, "stuck", timeout=STUCK_SECONDS + 20)
        during = readiness.since(held_off)
        await _let_go(server)
        let_go = time.monotonic()
        ready_after = await _wait_for(readiness, let_go, "ok", timeout=60)
    finally:
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
    events_and_found(platform, row, run, acknowledged, base)
    most = max((s[3] or 0 for s in during), default=0)
    oldest = max((s[4] or 0.0 for s in during), default=0.0)
    if most < HELD_OFF_WRITES:
        row.fail(f"readiness reported at most {most} pending while {HELD_OFF_WRITES} events were held off")
    if stuck_after is None:
        row.fail(f"readiness never failed with outbox 'stuck' while the events were held off (saw {_summary(during)})")
    early = [checks for at, checks in readiness.refusals if at < holding]
    if early:
        row.fail(f"readiness failed {len(early)} times while the stream was deleted and came back at once "
                 f"(a backlog going out is not stuck): {early[0]}")
    if ready_after is None:
        row.fail("readiness did not come back ready with nothing pending after the stream could be created again")
    row.notes.append(f"held off after {tries} tries in {held_off - holding:.1f} s: "
                     f"readiness reported up to {most} pending, the oldest {oldest:.1f} s, "
                     f"503 'stuck' after {_seconds(stuck_after)}; ready and drained {_seconds(ready_after)} after")
    return row


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.1f} s"


def _summary(samples: list[tuple[float, int, str, int | None, float | None]]) -> str:
    return ", ".join(sorted({f"{status} {outbox}" for _, status, outbox, *_ in samples})) or "no answer"
