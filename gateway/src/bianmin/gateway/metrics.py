"""The gateway's metrics: the kit's request metrics plus the upstream hop, circuits and rate limits."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram

from bianmin.gateway.domain.breaker import State
from bianmin.kit.metrics import Metrics

CIRCUIT_VALUES = {State.CLOSED: 0, State.HALF_OPEN: 1, State.OPEN: 2}


@dataclass
class GatewayMetrics(Metrics):
    """Everything the kit counts, and how each upstream behaves as seen from the gateway."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.upstream_latency = Histogram(
            "bianmin_gateway_upstream_seconds", "Time until an upstream's response head arrived.",
            ["upstream", "method", "outcome"], registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.upstream_retries = Counter(
            "bianmin_gateway_upstream_retries_total", "Idempotent requests sent again after a connection error.",
            ["upstream"], registry=self.registry,
        )
        self.circuit_state = Gauge(
            "bianmin_gateway_circuit_state", "Circuit of each upstream: 0 closed, 1 half-open, 2 open.",
            ["upstream"], registry=self.registry,
        )
        self.rate_limited = Counter(
            "bianmin_gateway_rate_limited_total", "Requests refused with 429, by kind of caller.",
            ["caller"], registry=self.registry,
        )

    def observe_upstream(self, upstream: str, method: str, outcome: str, seconds: float) -> None:
        """Record one upstream exchange: ``outcome`` is the status class or the failure."""
        self.upstream_latency.labels(upstream, method, outcome).observe(seconds)

    def circuit_changed(self, upstream: str, state: State) -> None:
        """Publish a circuit's new state."""
        self.circuit_state.labels(upstream).set(CIRCUIT_VALUES[state])
