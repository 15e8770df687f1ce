"""Durable pull consumers with explicit ack, bounded redelivery, an inbox, and a dead-letter stream.

A service declares handlers per event subject. The kit binds one durable consumer per source
stream (``<service>__<stream>``) filtered on the handled subjects. Each message is handled in one
database transaction that also inserts ``(consumer, event id)`` into the inbox: a redelivered event
finds its inbox row and changes nothing twice. A failing handler is retried with backoff (``nak``
with a delay) up to ``max_deliver`` times; then the message is copied to ``dlq.<service>.<stream>``
with the error, acknowledged, and the consumer moves on. A message that is not a valid event at all
goes to the dead-letter stream at once: retrying cannot fix it.

A consumer whose stream or durable vanished (deleted by an operator, lost with a JetStream volume)
fails its next pull; the bus's supervisor runs it again, and each run waits for the stream and then
creates the durable, so it comes back without a restart of the service. The stream is its owner's
to create again (the owner's relay does, at its next publish or start; this service's NATS user may
not create another service's stream, :mod:`bianmin.kit.events.access`). A new durable starts from
the stream's first message; the inbox drops what was already applied.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import BaseModel, ValidationError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.registry import dead_letter_subject, durable_name, spec_for_type
from bianmin.kit.clock import Clock
from bianmin.kit.db import Database
from bianmin.kit.logging import traceparent_var
from bianmin.kit.metrics import Metrics
from bianmin.kit.settings import ServiceSettings
from bianmin.kit.tables import inbox_event

# Events taken at once while catching up with what is stored (the consumer acks each one).
CATCH_UP_BATCH = 50

log = logging.getLogger("bianmin.events.consumer")



@dataclass(frozen=True)
class EventContext:
    """What a handler works with besides the event: the inbox transaction and the application's parts.

    Handlers are plain module-level functions listed once in a service's ``HANDLERS``; whatever they
    need of the running application comes here, so none reads the wall clock (tests pass a
    ``FixedClock`` to ``create_app`` and the handlers tell the same time as the routes) and none is
    built per application.
    """

    session: AsyncSession
    clock: Clock
    settings: ServiceSettings
    state: State


HandlerFn = Callable[[EventContext, CloudEvent, BaseModel], Awaitable[None]]


@dataclass(frozen=True)
class Handler:
    """What a service does with one event subject; ``fn`` runs inside the inbox transaction."""

    subject: str
    fn: HandlerFn

    @property
    def stream(self) -> str:
        """The stream the handled subject is published on."""
        return self.subject.split(".", 1)[0].upper()


class PoisonMessage(Exception):
    """A message that can never be handled (not an event, unknown type, invalid payload)."""


async def record_in_inbox(session: AsyncSession, consumer: str, event: CloudEvent) -> bool:
    """Insert the inbox row; False when this consumer has handled the event before."""
    values = {"consumer": consumer, "event_id": event.id, "subject": event.nats_subject,
              "received_at": datetime.now(UTC)}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await session.execute(insert(inbox_event).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)


def parse(msg_data: bytes) -> tuple[CloudEvent, BaseModel | None]:
    """The envelope and, for a registered type, its validated payload; PoisonMessage otherwise."""
    try:
        event = CloudEvent.model_validate_json(msg_data)
    except ValidationError as exc:
        raise PoisonMessage(f"not a CloudEvent: {exc.errors()[:3]}") from exc
    try:
        spec = spec_for_type(event.type)
    except KeyError:
        return event, None
    try:
        return event, spec.payload.model_validate(event.data)
    except ValidationError as exc:
        raise PoisonMessage(f"payload breaks {event.type}: {exc.errors()[:3]}") from exc


class StreamConsumer:
    """One durable pull consumer of one stream for one service."""

    def __init__(self, *, service: str, stream: str, handlers: list[Handler], db: Database,
                 js: JetStreamContext, metrics: Metrics, context: Callable[[AsyncSession], EventContext],
                 max_deliver: int, backoff_seconds: list[float], ack_wait_seconds: float = 30.0,
                 wait_seconds: float = 5.0, catch_up_seconds: float = 0.02) -> None:
        self.service = service
        self.context = context
        self.stream = stream
        self.name = durable_name(service, stream)
        self.handlers = {h.subject: h for h in handlers}
        self.db = db
        self.js = js
        self.metrics = metrics
        self.max_deliver = max_deliver
        self.backoff_seconds = backoff_seconds or [1.0]
        self.ack_wait_seconds = ack_wait_seconds
        self.wait_seconds = wait_seconds
        self.catch_up_seconds = catch_up_seconds

    def config(self) -> ConsumerConfig:
        """The durable consumer's configuration."""
        return ConsumerConfig(
            durable_name=self.name, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
            max_deliver=self.max_deliver, ack_wait=self.ack_wait_seconds,
            filter_subjects=sorted(self.handlers), max_ack_pending=1000,
        )

    async def run(self) -> None:
        """Bind the durable and handle messages until cancelled.

        An idle consumer waits with a pull for one message, which returns the moment an event is
        stored. A waiting pull for a batch would not: nats-py keeps reading its open request until
        the batch is full or the wait is over, so the first event after a quiet spell would sit
        for up to the whole wait. Once an event has arrived, what else is already stored is taken
        in batches, waiting at most ``catch_up_seconds`` for more.

        A missing stream (its owner has not created it again yet, see the module docstring) or a pull
        that finds the stream or the durable gone raises, and the supervisor runs this again.
        """
        await self.js.stream_info(self.stream)
        await self.js.add_consumer(self.stream, config=self.config())
        subscription = await self.js.pull_subscribe_bind(self.name, stream=self.stream)
        try:
            while True:
                messages = await self._fetch(subscription, batch=1, timeout=self.wait_seconds)
                while messages:
                    for msg in messages:
                        await self.handle(msg)
                    messages = await self._fetch(subscription, batch=CATCH_UP_BATCH,
                                                 timeout=self.catch_up_seconds)
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    @staticmethod
    async def _fetch(subscription: JetStreamContext.PullSubscription, *, batch: int, timeout: float) -> list[Msg]:
        try:
            return await subscription.fetch(batch=batch, timeout=timeout)
        except (TimeoutError, NatsTimeoutError):
            return []

    async def handle(self, msg: Msg) -> None:
        """Handle one message: apply it once, retry it with backoff, or dead-letter it."""
        try:
            event, payload = parse(msg.data)
            handler = self.handlers.get(event.nats_subject)
            if handler is None or payload is None:
                raise PoisonMessage(f"no handler for {event.type} in {self.name}")
            token = traceparent_var.set(event.traceparent)
            try:
                applied = await self._apply(handler, event, payload)
            finally:
                traceparent_var.reset(token)
        except PoisonMessage as exc:
            await self._dead_letter(msg, str(exc))
            return
        except Exception as exc:
            await self._failed(msg, exc)
            return
        await msg.ack()
        self.metrics.events_consumed.labels(self.service, self.name,
                                            "applied" if applied else "duplicate").inc()

    async def _apply(self, handler: Handler, event: CloudEvent, payload: BaseModel) -> bool:
        async with self.db.sessionmaker() as session:
            if not await record_in_inbox(session, self.name, event):
                await session.rollback()
                return False
            await handler.fn(self.context(session), event, payload)
            await session.commit()
        return True

    async def _failed(self, msg: Msg, exc: Exception) -> None:
        delivered = msg.metadata.num_delivered or 1
        log.warning("event handler failed", extra={"consumer": self.name, "delivered": delivered,
                                                   "error": repr(exc)})
        if delivered >= self.max_deliver:
            await self._dead_letter(msg, f"failed {delivered} times, last: {exc!r}")
            return
        delay = self.backoff_seconds[min(delivered - 1, len(self.backoff_seconds) - 1)]
        self.metrics.events_consumed.labels(self.service, self.name, "retried").inc()
        await msg.nak(delay=delay)

    async def _dead_letter(self, msg: Msg, reason: str) -> None:
        seq = msg.metadata.sequence.stream if msg.metadata and msg.metadata.sequence else 0
        headers: dict[str, Any] = {
            "Nats-Msg-Id": f"dlq-{self.name}-{seq}",
            "Bianmin-Original-Subject": msg.subject,
            "Bianmin-Consumer": self.name,
            "Bianmin-Error": reason[:1000],
            "Bianmin-Deliveries": str(msg.metadata.num_delivered if msg.metadata else 1),
        }
        await self.js.publish(dead_letter_subject(self.service, self.stream), msg.data, headers=headers)
        await msg.ack()
        self.metrics.events_consumed.labels(self.service, self.name, "dead_lettered").inc()
        log.error("event dead-lettered", extra={"consumer": self.name, "subject": msg.subject,
                                                "reason": reason[:300]})


def group_by_stream(handlers: list[Handler]) -> dict[str, list[Handler]]:
    """Handlers grouped by the stream their subject lives on."""
    grouped: dict[str, list[Handler]] = {}
    for handler in handlers:
        grouped.setdefault(handler.stream, []).append(handler)
    return grouped
