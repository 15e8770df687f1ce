"""Waiting in a worker's loop without losing the cancel that stops it.

A worker waits for a wake-up or its poll interval, and a service stops by cancelling its workers and
awaiting them. ``asyncio.wait_for`` on Python 3.11 drops a cancellation that arrives in the same turn
as what it awaits completes (CPython gh-86296, fixed in 3.12 by rebuilding it on ``asyncio.timeout``):
a worker woken and cancelled together went on looping, and its service's shutdown waited for ever
(a test run hung 300 s on the credit service's recompute worker). ``asyncio.timeout`` counts the
task's cancellations and re-raises, so the helpers here use it.
"""

from __future__ import annotations

import asyncio
import contextlib


async def until_set(event: asyncio.Event, seconds: float) -> bool:
    """Wait for ``event`` at most ``seconds``; whether it is set. A cancel is never swallowed."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await event.wait()
    return event.is_set()


async def stop(task: asyncio.Task[object]) -> BaseException | None:
    """Cancel a helper task, wait for it to end and return the error it ended with, if any.

    Suppressing ``CancelledError`` around ``await task`` would also swallow a cancel of the *caller*
    that lands while it waits; ``asyncio.wait`` lets the caller's own cancellation through.
    """
    task.cancel()
    await asyncio.wait([task])
    return None if task.cancelled() else task.exception()
