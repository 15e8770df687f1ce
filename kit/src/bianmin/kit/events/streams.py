"""JetStream streams: one per owning service plus the dead-letter stream, created when missing.

They are ensured at start and again whenever one is found missing later (a publish that no stream
answers, a consumer whose stream is gone), so a deleted stream comes back without a restart.
"""

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


def stream_of(subject: str) -> str | None:
    """The platform stream that captures a subject (``credit.enterprise.created`` → ``CREDIT``), or None."""
    name = subject.split(".", 1)[0].upper()
    return name if name in STREAMS else None


def subject_prefixes(name: str) -> list[str]:
    """The literal prefixes of the subjects a stream captures (``credit.>`` → ``credit.``)."""
    return [subject.removesuffix(">") for subject in STREAMS[name]]


async def ensure_streams(js: JetStreamContext, names: list[str], *, replicas: int = 1) -> list[str]:
    """Create each named stream unless it exists; the names created.

    An existing stream is left as its operator set it.
    """
    created = []
    for name in names:
        try:
            await js.stream_info(name)
        except NotFoundError:
            log.info("creating stream", extra={"stream": name})
            try:
                await js.add_stream(stream_config(name, replicas=replicas))
                created.append(name)
            except BadRequestError:
                # Another service created it between our look-up and our create.
                await js.stream_info(name)
    return created
