"""The workloads the scenarios drive; each is a picklable dataclass run inside the load process."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from bench.httpclient import Connection
from bench.load import Outcome, Workload

Request = tuple[str, str, Any]


async def _send(conn: Connection, method: str, path: str, headers: dict[str, str], body: Any, retries: int) -> Any:
    """One request, sent again (same Idempotency-Key) up to ``retries`` times after a 5xx: set-up only."""
    for attempt in range(retries + 1):
        response = await conn.request(method, path, headers=headers, json_body=body)
        if response.status < 500 or attempt == retries:
            return response
        await asyncio.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _problem(body: bytes) -> str:
    return body[:300].decode("utf-8", "replace")


@dataclass
class GetPaths(Workload):
    """GET the given paths round-robin, for as long as the job lasts."""

    paths: list[str]
    headers: dict[str, str] = field(default_factory=dict)

    async def run_one(self, conn: Connection, client: int, seq: int) -> Outcome | None:
        path = self.paths[(client + seq) % len(self.paths)]
        started = time.perf_counter()
        response = await conn.request("GET", path, headers=self.headers)
        latency = time.perf_counter() - started
        ok = response.status == 200
        return Outcome(started, latency, response.status, ok, None if ok else _problem(response.body))


@dataclass
class Requests(Workload):
    """A fixed list of (method, path, JSON body) requests, shared by the clients; keeps the answers when asked."""

    requests: list[Request]
    headers: dict[str, str] = field(default_factory=dict)
    keep: bool = False
    idempotency: bool = False
    retries: int = 0
    _next: Any = field(default=None, repr=False)

    def prepare(self) -> None:
        self._next = iter(range(len(self.requests)))

    async def run_one(self, conn: Connection, client: int, seq: int) -> Outcome | None:
        index = next(self._next, None)
        if index is None:
            return None
        method, path, body = self.requests[index]
        headers = {**self.headers, "Idempotency-Key": uuid.uuid4().hex} if self.idempotency else self.headers
        started = time.perf_counter()
        response = await _send(conn, method, path, headers, body, self.retries if self.idempotency else 0)
        latency = time.perf_counter() - started
        ok = response.status < 300
        record: Any = (index, response.json()) if ok and self.keep else (None if ok else _problem(response.body))
        return Outcome(started, latency, response.status, ok, record)


@dataclass
class TakeTickets(Workload):
    """POST tickets round-robin over (hall, line) pairs, each with its own Idempotency-Key.

    ``total`` bounds the number taken (None: as many as the job's duration allows); the answers'
    ticket ids are kept when ``keep`` is set.
    """

    path: str
    pairs: list[tuple[str, str]]
    headers: dict[str, str] = field(default_factory=dict)
    total: int | None = None
    keep: bool = False
    retries: int = 0
    _counter: Any = field(default=None, repr=False)

    def prepare(self) -> None:
        self._counter = itertools.count()

    async def run_one(self, conn: Connection, client: int, seq: int) -> Outcome | None:
        n = next(self._counter)
        if self.total is not None and n >= self.total:
            return None
        hall, line = self.pairs[n % len(self.pairs)]
        started = time.perf_counter()
        response = await _send(conn, "POST", self.path, {**self.headers, "Idempotency-Key": uuid.uuid4().hex},
                               {"hall_code": hall, "line": line}, self.retries)
        latency = time.perf_counter() - started
        ok = response.status == 201
        record = (response.json()["id"] if self.keep else None) if ok else _problem(response.body)
        return Outcome(started, latency, response.status, ok, record)


@dataclass
class CallCounters(Workload):
    """Each client is one counter: call-next, start, complete, until nobody waits.

    The measured operation is the call; its record is ``(counter_id, ticket_id)`` so that the
    harness can check that every ticket was called exactly once.
    """

    prefix: str
    counter_ids: list[int]
    headers: dict[str, str] = field(default_factory=dict)
    give_up_after: int = 50
    _failures: dict[int, int] = field(default_factory=dict, repr=False)

    async def run_one(self, conn: Connection, client: int, seq: int) -> Outcome | None:
        counter = self.counter_ids[client]
        if self._failures.get(client, 0) >= self.give_up_after:
            return None
        started = time.perf_counter()
        response = await conn.request("POST", f"{self.prefix}/counters/{counter}/call-next", headers=self.headers)
        latency = time.perf_counter() - started
        if response.status != 200:
            self._failures[client] = self._failures.get(client, 0) + 1
            return Outcome(started, latency, response.status, False, _problem(response.body))
        self._failures[client] = 0
        ticket = response.json().get("ticket")
        if ticket is None:
            return None
        for step in ("start", "complete"):
            # A 5xx here would leave the counter busy for good; the step is retried, a state conflict is not.
            done = await _send(conn, "POST", f"{self.prefix}/tickets/{ticket['id']}/{step}", self.headers, {}, 5)
            if done.status >= 300:
                self._failures[client] = self.give_up_after
                return Outcome(started, latency, done.status, False, f"{step}: {_problem(done.body)}")
        return Outcome(started, latency, response.status, True, (counter, ticket["id"]))


def bid_package(index: int, size: int) -> dict[str, Any]:
    """A bid package of about ``size`` bytes: a price and enough document hashes to fill it."""
    hashes = [hashlib.sha256(f"doc-{index}-{k}".encode()).hexdigest() for k in range(max(1, (size - 120) // 67))]
    return {"price": f"{900000 - index}.00", "duration_days": 180, "project_manager": f"项目经理{index}号",
            "document_hashes": hashes}


@dataclass
class SealedBids(Workload):
    """Seal one bid per bidder in ``prepare``, then submit them.

    With ``spread`` > 0 the submissions are open-loop: bid k is due at ``start_at + k * spread / n``
    (wall clock) and its latency counts from that moment, so a queue that builds up under the
    burst shows in the figures instead of slowing the senders down. Each record is
    ``(credit_code, bid_id, reveal body)``.
    """

    prefix: str
    project: str
    section: str
    bidders: list[str]
    headers: dict[str, str] = field(default_factory=dict)
    size: int = 2048
    start_at: float = 0.0
    spread: float = 0.0
    _sealed: list[tuple[bytes, dict[str, str]]] = field(default_factory=list, repr=False)
    _counter: Any = field(default=None, repr=False)

    def prepare(self) -> None:
        from bianmin.bidding.sealing import seal

        self._counter = itertools.count()
        self._sealed = []
        for n, bidder in enumerate(self.bidders):
            sealed, secret = seal(bid_package(n, self.size), project=self.project, section=self.section, bidder=bidder)
            body = json.dumps({"credit_code": bidder, **sealed.as_request()}).encode()
            self._sealed.append((body, secret.as_reveal()))

    async def run_one(self, conn: Connection, client: int, seq: int) -> Outcome | None:
        n = next(self._counter)
        if n >= len(self._sealed):
            return None
        body, reveal = self._sealed[n]
        due = None
        if self.spread > 0:
            due_wall = self.start_at + n * self.spread / len(self._sealed)
            delay = due_wall - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            due = time.perf_counter() - max(0.0, time.time() - due_wall)
        started = time.perf_counter()
        response = await conn.request("POST", f"{self.prefix}/projects/{self.project}/sections/{self.section}/bids",
                                      headers={**self.headers, "Content-Type": "application/json"}, body=body)
        latency = time.perf_counter() - (due if due is not None else started)
        ok = response.status == 201
        record = (self.bidders[n], response.json()["bid_id"], reveal) if ok else _problem(response.body)
        return Outcome(started, latency, response.status, ok, record)


@dataclass
class EventProbe(Workload):
    """Change the anchor item through the gateway, then poll the queue's lines until its read model shows it.

    The latency runs from the change's answer (its transaction committed) to the first poll that
    sees the new name in the queue service, so it includes the outbox relay, JetStream, the queue's
    consumer and its inbox transaction, plus at most one poll round trip (reported as the record).
    """

    item_path: str
    lines_path: str
    item_code: str
    gateway_headers: dict[str, str]
    queue_port: int
    queue_headers: dict[str, str]
    samples: int
    give_up: float = 15.0
    _queue: Any = field(default=None, repr=False)

    async def run_one(self, conn: Connection, client: int, seq: int) -> Outcome | None:
        if seq >= self.samples:
            return None
        if self._queue is None:
            self._queue = Connection("127.0.0.1", self.queue_port)
        name = f"基准事项{seq}-{uuid.uuid4().hex[:6]}"
        changed = await conn.request("PATCH", self.item_path, headers=self.gateway_headers, json_body={"name": name})
        committed = time.perf_counter()
        if changed.status != 200:
            return Outcome(committed, 0.0, changed.status, False, _problem(changed.body))
        polls, poll_time = 0, 0.0
        while time.perf_counter() - committed < self.give_up:
            before = time.perf_counter()
            answer = await self._queue.request("GET", self.lines_path, headers=self.queue_headers)
            seen = time.perf_counter()
            polls += 1
            poll_time += seen - before
            if answer.status == 200 and any(item.get("code") == self.item_code and item.get("name") == name
                                             for line in answer.json() for item in line.get("items", [])):
                return Outcome(committed, seen - committed, 200, True, poll_time / polls)
        return Outcome(committed, time.perf_counter() - committed, 504, False, "the queue never saw the change")

    async def close(self) -> None:
        if self._queue is not None:
            await self._queue.close()
            self._queue = None


@dataclass
class JetStreamRoundTrip(Workload):
    """Raw JetStream: publish (waiting for the PubAck) and receive on a durable pull consumer, as the kit does.

    The consumer fetches in batches of 50 with a 2-second long poll, like ``bianmin.kit.events.consumer``;
    the latency runs from just before the publish to the message's arrival in the fetch loop.
    """

    nats_url: str
    samples: int
    # The platform's NATS admits known users only; the raw baseline connects as the operator's user.
    nkey_seed: str = ""
    stream: str = "BENCHRT"
    _nc: Any = field(default=None, repr=False)
    _js: Any = field(default=None, repr=False)
    _task: Any = field(default=None, repr=False)
    _arrivals: Any = field(default=None, repr=False)

    async def _start(self) -> None:
        import nats
        from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig

        self._nc = await nats.connect(self.nats_url, **({"nkeys_seed_str": self.nkey_seed} if self.nkey_seed else {}))
        self._js = self._nc.jetstream()
        await self._js.add_stream(StreamConfig(name=self.stream, subjects=["bench.rt"], storage=StorageType.FILE))
        await self._js.add_consumer(self.stream, config=ConsumerConfig(durable_name="bench-rt",
                                                                       ack_policy=AckPolicy.EXPLICIT))
        sub = await self._js.pull_subscribe_bind("bench-rt", stream=self.stream)
        self._arrivals = asyncio.Queue()

        async def consume() -> None:
            from nats.errors import TimeoutError as NatsTimeoutError

            while True:
                try:
                    messages = await sub.fetch(batch=50, timeout=2)
                except (TimeoutError, NatsTimeoutError):
                    continue
                for msg in messages:
                    self._arrivals.put_nowait((msg.data, time.perf_counter()))
                    await msg.ack()

        self._task = asyncio.create_task(consume())

    async def run_one(self, conn: Connection, client: int, seq: int) -> Outcome | None:
        if seq >= self.samples:
            return None
        if self._nc is None:
            await self._start()
        payload = uuid.uuid4().hex.encode()
        started = time.perf_counter()
        await self._js.publish("bench.rt", payload, headers={"Nats-Msg-Id": payload.decode()})
        while True:
            data, arrived = await asyncio.wait_for(self._arrivals.get(), timeout=10)
            if data == payload:
                return Outcome(started, arrived - started, 200, True)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._nc is not None:
            with contextlib.suppress(Exception):
                await self._js.delete_stream(self.stream)
            await self._nc.close()
            self._nc = None
