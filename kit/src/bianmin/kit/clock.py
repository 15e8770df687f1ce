"""The time of the platform, injectable so that rules over days and deadlines can be tested.

Services read the time through ``app.state.clock`` (the ``ClockDep`` dependency) and pass it into
the domain; tests put a :class:`FixedClock` there and move it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Protocol

from fastapi import Depends, Request


class Clock(Protocol):
    """Anything that tells the current aware time."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a clock tells aware times")
        self.at = at

    def now(self) -> datetime:
        """The time the test set."""
        return self.at

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self.at += delta


async def get_clock(request: Request) -> Clock:
    """The application's clock (``async`` so FastAPI does not run it in its thread pool)."""
    return request.app.state.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


async def get_received_at(request: Request) -> datetime:
    """When the request arrived (stamped by the request middleware before any waiting for locks).

    A deadline is met by what arrived before it: a bid sent a second before the deadline that then
    waits behind a burst of others for the database is still on time. ``async`` so that FastAPI
    does not run it in its thread pool (see :func:`get_clock`).
    """
    received = getattr(request.state, "received_at", None)
    return received if received is not None else request.app.state.clock.now()


ReceivedAtDep = Annotated[datetime, Depends(get_received_at)]
