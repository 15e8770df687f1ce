"""When to try a failed delivery again: exponential backoff with jitter, within a retry period.

Attempt ``n`` (1 for the first retry) waits ``min(cap, base * 2**(n-1))`` scaled by a random
factor in [0.5, 1.0] ("equal jitter"): never less than half the nominal delay, so a receiver that
is down is not hammered, and spread out so that many deliveries failed together do not all return
at the same second.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

JITTER_LOW = 0.5


def backoff_seconds(retry: int, *, base: float, cap: float, rng: random.Random | None = None) -> float:
    """The delay before retry number ``retry`` (1-based)."""
    nominal = min(cap, base * 2 ** min(max(retry - 1, 0), 62))
    return nominal * (rng or random).uniform(JITTER_LOW, 1.0)


def next_attempt(*, failures: int, window_started_at: datetime, now: datetime, base: float, cap: float,
                 period: float, rng: random.Random | None = None) -> datetime | None:
    """When to try again after ``failures`` failed attempts, or None when the retry period is spent."""
    due = now + timedelta(seconds=backoff_seconds(failures, base=base, cap=cap, rng=rng))
    if due > window_started_at + timedelta(seconds=period):
        return None
    return due
