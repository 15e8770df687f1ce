"""Events: the transactional outbox, its relay to JetStream, and durable consumers with an inbox."""

from bianmin.kit.events.outbox import emit, emit_event

__all__ = ["emit", "emit_event"]
