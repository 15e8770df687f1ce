"""JetStream streams: one per owning service plus the dead-letter stream, created when missing."""

from __future__ import annotations

import logging

from nats.js import JetStreamContext
from nats.js.api import RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from bianmin.contracts.registry import STREAMS

log = logging.getLogger("bianmin.events")

RETENTION_DAYS = 90
DUPLICATE_WINDOW_SECONDS = 120


def stream_config(name: str, *, replicas: int = 1) -> StreamConfig:
    """The configuration of one of the platform's streams."""
    return StreamConfig(
        name=name, subjects=STREAMS[name], retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE, max_age=RETENTION_DAYS * 86400,
        duplicate_window=DUPLICATE_WINDOW_SECONDS, num_replicas=replicas,
    )


async def ensure_streams(js: JetStreamContext, names: list[str], *, replicas: int = 1) -> None:
    """Create each named stream unless it exists; an existing stream is left as its operator set it."""
    for name in names:
        try:
            await js.stream_info(name)
        except NotFoundError:
            log.info("creating stream", extra={"stream": name})
            try:
                await js.add_stream(stream_config(name, replicas=replicas))
            except BadRequestError:
                # Another service created it between our look-up and our create.
                await js.stream_info(name)
