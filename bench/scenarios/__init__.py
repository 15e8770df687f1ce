"""The scenarios, in the order they run, and what each one gets: the run, the platform, the load process."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.load import LoadDriver, LoadResult, Workload
from bench.platform import BenchPlatform
from bench.stats import Run


@dataclass(frozen=True)
class Params:
    """Sizes and durations: ``full`` is the issue's, ``quick`` fits ``make bench-quick`` in 3 minutes."""

    warmup: float
    duration: float
    tickets: int
    burst_bids: int
    burst_window: float
    opening_bids: int
    event_samples: int
    jetstream_samples: int
    enterprises: int
    record_every: int
    items: int
    settle_limit: float


FULL = Params(warmup=3.0, duration=10.0, tickets=10_000, burst_bids=2_000, burst_window=10.0, opening_bids=1_000,
              event_samples=200, jetstream_samples=1_000, enterprises=100_000, record_every=20, items=10_000,
              settle_limit=300.0)
QUICK = Params(warmup=1.0, duration=3.0, tickets=600, burst_bids=300, burst_window=3.0, opening_bids=100,
               event_samples=30, jetstream_samples=200, enterprises=5_000, record_every=20, items=2_000,
               settle_limit=20.0)


@dataclass
class Context:
    """What a scenario works with."""

    run: Run
    platform: BenchPlatform
    driver: LoadDriver
    params: Params
    mode: str
    shared: dict[str, Any] = field(default_factory=dict)

    def log(self, message: str) -> None:
        """A progress line on the run's output."""
        print(f"   {time.strftime('%H:%M:%S')} {message}", flush=True)

    def load(self, workload: Workload, *, port: int, connections: int = 1, warmup: float | None = None,
             duration: float | None = None, timeout: float = 60.0) -> LoadResult:
        """Drive a workload from the load process (durations default to the mode's)."""
        return self.driver.run(workload, port=port, connections=connections,
                               warmup=self.params.warmup if warmup is None else warmup,
                               duration=self.params.duration if duration is None else duration, timeout=timeout)

    def alternate(self, subject: Workload, subject_port: int, baseline: Workload, baseline_port: int, *,
                  connections: int, rounds: int = 3) -> tuple[LoadResult, LoadResult]:
        """Measure a subject and its baseline in alternating slices, so that drift hits both alike."""
        slice_warmup, slice_duration = self.params.warmup / 2, self.params.duration / rounds
        mine = theirs = None
        for _ in range(rounds):
            a = self.load(subject, port=subject_port, connections=connections, warmup=slice_warmup,
                          duration=slice_duration)
            b = self.load(baseline, port=baseline_port, connections=connections, warmup=slice_warmup,
                          duration=slice_duration)
            mine = a if mine is None else mine.merge(a)
            theirs = b if theirs is None else theirs.merge(b)
        assert mine is not None
        assert theirs is not None
        return mine, theirs

    def setup(self, workload: Workload, *, port: int, connections: int = 16, what: str) -> LoadResult:
        """Drive a fixed-count set-up workload; RuntimeError naming ``what`` if any request failed."""
        result = self.driver.run(workload, port=port, connections=connections, warmup=0.0, duration=1800.0,
                                 timeout=600.0)
        if result.errors:
            raise RuntimeError(f"{what}: {result.errors} failed, e.g. {result.failures[:3]}")
        return result


Scenario = Callable[[Context], None]


def registry() -> dict[str, Scenario]:
    """Every scenario by name, in run order."""
    from bench.scenarios import bidding, calling, credit, events, hop, memory, search

    return {
        "gateway_hop": hop.gateway_hop,
        "framework_ceiling": hop.framework_ceiling,
        "calling": calling.calling,
        "deadline_burst": bidding.deadline_burst,
        "opening": bidding.opening,
        "event_latency": events.event_latency,
        "search": search.search,
        "credit_recompute": credit.credit_recompute,
        "memory": memory.memory,
    }
