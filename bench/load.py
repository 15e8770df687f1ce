"""Load from a separate process: a fixed number of connections, a warm-up, then a fixed duration.

:class:`LoadDriver` keeps one child process (``spawn``, uvloop) for the whole run, so the platform's
processes and the client never share an interpreter. Each job sends a picklable :class:`Workload`;
the child opens ``connections`` keep-alive connections, lets every virtual client call
``run_one`` in a loop, drops what started during the warm-up, and sends back every measured
latency, the status counts and whatever records the workload kept. A workload that runs out of
work (it returns None) ends its client early: fixed-count jobs use that with a generous duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from typing import Any

from bench.httpclient import Connection


@dataclass
class Outcome:
    """One measured operation: when it started, how long it took, whether it succeeded."""

    started: float
    latency: float
    status: int
    ok: bool
    record: Any = None


class Workload:
    """What the virtual clients do; subclasses are plain dataclasses so that they pickle."""

    def prepare(self) -> None:
        """Work done in the load process before any connection opens (not timed)."""

    async def run_one(self, conn: Connection, client: int, seq: int) -> Outcome | None:
        """One operation of virtual client ``client``; None when there is nothing left to do."""
        raise NotImplementedError

    async def close(self) -> None:
        """Release what ``run_one`` opened beside its connection."""


@dataclass
class LoadResult:
    """What one job measured."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    failures: list[str] = field(default_factory=list)
    records: list[Any] = field(default_factory=list)
    window: float = 0.0
    measured: int = 0

    def merge(self, other: LoadResult) -> LoadResult:
        """This result and another of the same workload, as one (windows add up)."""
        statuses = dict(self.statuses)
        for status, count in other.statuses.items():
            statuses[status] = statuses.get(status, 0) + count
        return LoadResult(self.latencies + other.latencies, statuses, self.errors + other.errors,
                          (self.failures + other.failures)[:20], self.records + other.records,
                          self.window + other.window, self.measured + other.measured)

    @property
    def throughput(self) -> float:
        """Successful operations per second over the measured window."""
        return len(self.latencies) / self.window if self.window > 0 else 0.0


@dataclass
class Job:
    """A workload and how to drive it."""

    workload: Workload
    host: str
    port: int
    connections: int
    warmup: float
    duration: float
    timeout: float = 60.0


async def _drive(job: Job) -> LoadResult:
    job.workload.prepare()
    conns = [Connection(job.host, job.port, timeout=job.timeout) for _ in range(job.connections)]
    result = LoadResult()
    statuses: Counter[int] = Counter()
    outcomes: list[Outcome] = []
    begin = time.perf_counter()
    measure_from = begin + job.warmup
    end = measure_from + job.duration

    async def client(index: int) -> None:
        seq = 0
        while time.perf_counter() < end:
            try:
                outcome = await job.workload.run_one(conns[index], index, seq)
            except Exception as exc:
                result.errors += 1
                if len(result.failures) < 20:
                    result.failures.append(f"{type(exc).__name__}: {exc}")
                seq += 1
                continue
            seq += 1
            if outcome is None:
                return
            if outcome.started >= measure_from:
                outcomes.append(outcome)

    try:
        await asyncio.gather(*(client(i) for i in range(job.connections)))
    finally:
        for conn in conns:
            await conn.close()
        await job.workload.close()
    finished = time.perf_counter()
    for outcome in outcomes:
        statuses[outcome.status] += 1
        if outcome.ok:
            result.latencies.append(outcome.latency)
        else:
            result.errors += 1
            if len(result.failures) < 20:
                result.failures.append(f"status {outcome.status}: {str(outcome.record)[:300]}")
        if outcome.record is not None and outcome.ok:
            result.records.append(outcome.record)
    result.statuses = dict(statuses)
    result.measured = len(outcomes)
    if outcomes:
        first = min(o.started for o in outcomes)
        last = max(o.started + o.latency for o in outcomes)
        result.window = min(last, finished) - first
    return result


def _child(pipe: Pipe) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    while True:
        job = pipe.recv()
        if job is None:
            return
        try:
            pipe.send(("ok", asyncio.run(_drive(job))))
        except Exception:
            pipe.send(("error", traceback.format_exc()))


class LoadDriver:
    """The load process, kept for the whole run."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self.process = context.Process(target=_child, args=(child,), name="bench-load", daemon=True)
        self.process.start()
        child.close()

    @property
    def pid(self) -> int | None:
        """The load process's id."""
        return self.process.pid

    def run(self, workload: Workload, *, port: int, connections: int = 1, warmup: float = 0.0,
            duration: float = 600.0, host: str = "127.0.0.1", timeout: float = 60.0) -> LoadResult:
        """Drive one job and wait for its result."""
        self._pipe.send(Job(workload, host, port, connections, warmup, duration, timeout))
        kind, value = self._pipe.recv()
        if kind == "error":
            raise RuntimeError(f"the load process failed:\n{value}")
        return value

    def close(self) -> None:
        """Stop the load process."""
        with contextlib.suppress(OSError, BrokenPipeError):
            self._pipe.send(None)
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
