"""A circuit breaker per upstream: stop sending to a service that keeps failing, try again later.

Closed: requests flow; ``threshold`` consecutive failures open the circuit. Open: requests are
refused at once (503 with ``Retry-After``) for ``reset_seconds``. Half-open: one trial request is
let through; its success closes the circuit, its failure opens it again. A failure is a request
that could not reach the service or timed out; an answer, even a 5xx, is a success, because a
service that answers is up and its own errors pass through to the client unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class State(StrEnum):
    """The three states of a circuit."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpen(Exception):
    """Refused without trying: the circuit is open (or half-open with its trial in flight)."""

    def __init__(self, upstream: str, retry_after: float) -> None:
        super().__init__(f"circuit of {upstream} is open")
        self.upstream = upstream
        self.retry_after = retry_after


class CircuitBreaker:
    """The breaker of one upstream; not thread-safe, used from one event loop."""

    def __init__(self, name: str, *, threshold: int, reset_seconds: float,
                 clock: Callable[[], float] = time.monotonic,
                 on_change: Callable[[str, State], None] | None = None) -> None:
        self.name = name
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self.clock = clock
        self.on_change = on_change
        self.failures = 0
        self._state = State.CLOSED
        self._opened_at = 0.0
        self._trial_started: float | None = None

    @property
    def state(self) -> State:
        """The current state; an open circuit whose cool-down has passed reads as half-open."""
        if self._state is State.OPEN and self.clock() - self._opened_at >= self.reset_seconds:
            self._move(State.HALF_OPEN)
        return self._state

    def before_call(self) -> None:
        """Let a request through, or raise :class:`CircuitOpen`."""
        state = self.state
        if state is State.CLOSED:
            return
        now = self.clock()
        if state is State.OPEN:
            raise CircuitOpen(self.name, self.reset_seconds - (now - self._opened_at))
        # Half-open: one trial at a time; a trial whose caller vanished without a verdict
        # (cancelled request) gives way to a new one after another cool-down.
        if self._trial_started is not None and now - self._trial_started < self.reset_seconds:
            raise CircuitOpen(self.name, self.reset_seconds - (now - self._trial_started))
        self._trial_started = now

    def record_success(self) -> None:
        """The upstream answered: forget past failures, close the circuit."""
        self.failures = 0
        self._trial_started = None
        if self._state is not State.CLOSED:
            self._move(State.CLOSED)

    def record_failure(self) -> None:
        """The upstream could not be reached or timed out; open the circuit at the threshold or after a failed trial."""
        self.failures += 1
        self._trial_started = None
        if self._state is State.HALF_OPEN or self.failures >= self.threshold:
            self._opened_at = self.clock()
            self._move(State.OPEN)

    def release_trial(self) -> None:
        """Free the half-open trial slot of a request that ended without a verdict (its caller was cancelled)."""
        self._trial_started = None

    def _move(self, state: State) -> None:
        self._state = state
        if self.on_change is not None:
            self.on_change(self.name, state)
