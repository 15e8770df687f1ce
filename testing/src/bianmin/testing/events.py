"""Helpers for tests that publish events to, or read events from, a real JetStream."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import nats
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from pydantic import BaseModel

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.registry import STREAMS, spec_for_subject
from bianmin.kit.events.streams import ensure_streams


@contextlib.asynccontextmanager
async def jetstream(url: str, *, seed: str | None = None) -> AsyncIterator[JetStreamContext]:
    """A JetStream context on ``url`` with every platform stream created (as the ``ops`` user's ``seed``
    on a NATS with authorization, which admits no one else to do all this)."""
    credentials = {"nkeys_seed_str": seed} if seed else {}
    nc = await nats.connect(url, allow_reconnect=True, max_reconnect_attempts=-1, reconnect_time_wait=0.2,
                            **credentials)
    js = nc.jetstream()
    await ensure_streams(js, sorted(STREAMS))
    try:
        yield js
    finally:
        await nc.close()


def envelope(subject: str, payload: BaseModel, *, tenant: str = "*", version: int = 1) -> CloudEvent:
    """The CloudEvent another service would publish for ``payload``."""
    spec = spec_for_subject(subject, version)
    return CloudEvent(source=f"/bianmin/{spec.publisher}", type=spec.type, tenant=tenant,
                      data=payload.model_dump(mode="json"))


async def publish(url: str, subject: str, payload: BaseModel, *, tenant: str = "*") -> CloudEvent:
    """Publish one registered event as its owning service would (with ``Nats-Msg-Id``)."""
    event = envelope(subject, payload, tenant=tenant)
    async with jetstream(url) as js:
        await js.publish(subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": event.id})
    return event


async def published(url: str, subject: str, *, wait: float = 0.5, seed: str | None = None) -> list[CloudEvent]:
    """Every event stored on ``subject`` (a wildcard is fine), oldest first."""
    async with jetstream(url, seed=seed) as js:
        sub = await js.pull_subscribe(subject, config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
        found: list[CloudEvent] = []
        with contextlib.suppress(TimeoutError, nats.errors.TimeoutError):
            while True:
                for msg in await sub.fetch(batch=100, timeout=wait):
                    found.append(CloudEvent.model_validate_json(msg.data))
                    await msg.ack()
        await sub.unsubscribe()
    return found


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout: float = 10.0, every: float = 0.05) -> None:
    """Wait until ``check`` returns True; AssertionError after ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(every)
