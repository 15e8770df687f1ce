"""Waiting for a wake-up or a poll interval without losing the cancel that stops a worker."""

import asyncio

import pytest

from bianmin.kit.waits import stop, until_set


async def test_a_cancel_that_comes_with_the_wakeup_stops_the_waiter() -> None:
    """``asyncio.wait_for`` on Python 3.11 returns here instead of raising (CPython gh-86296)."""
    event = asyncio.Event()
    waiting = asyncio.create_task(until_set(event, 10))
    await asyncio.sleep(0)
    event.set()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting


async def test_the_wait_says_whether_it_was_woken() -> None:
    event = asyncio.Event()
    assert await until_set(event, 0.01) is False
    asyncio.get_running_loop().call_soon(event.set)
    assert await until_set(event, 10) is True


async def test_stopping_a_helper_lets_the_callers_own_cancel_through() -> None:
    async def forever() -> None:
        await asyncio.Event().wait()

    async def caller() -> None:
        helper = asyncio.create_task(forever())
        await asyncio.sleep(0)
        asyncio.get_running_loop().call_soon(outer.cancel)  # lands while the caller waits for the helper to end
        await stop(helper)

    outer = asyncio.create_task(caller())
    with pytest.raises(asyncio.CancelledError):
        await outer


async def test_stopping_a_helper_returns_the_error_it_ended_with() -> None:
    async def fails() -> None:
        raise ValueError("heartbeat lost its connection")

    helper = asyncio.create_task(fails())
    await asyncio.sleep(0)
    assert isinstance(await stop(helper), ValueError)
