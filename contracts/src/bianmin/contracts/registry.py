"""Every event the platform carries, assembled from the per-service modules in ``events/``.

Streams are one per owning service and capture ``<service>.>``; the dead-letter stream captures
``dlq.>``. The AsyncAPI document and the JSON Schemas in ``contracts/`` are generated from this
registry (``make contracts``), and a test fails when they drift from it.
"""

from __future__ import annotations

from types import ModuleType

from bianmin.contracts.envelope import subject_of, type_name
from bianmin.contracts.events import bidding, catalog, consult, credit, guarantee, queue
from bianmin.contracts.spec import EventSpec

MODULES: dict[str, ModuleType] = {
    "catalog": catalog, "queue": queue, "consult": consult,
    "bidding": bidding, "guarantee": guarantee, "credit": credit,
}
SERVICES = tuple(MODULES)
DLQ_STREAM = "DLQ"
STREAMS: dict[str, list[str]] = {name.upper(): [f"{name}.>"] for name in SERVICES}
STREAMS[DLQ_STREAM] = ["dlq.>"]

EVENTS: tuple[EventSpec, ...] = tuple(spec for module in MODULES.values() for spec in module.PUBLISHES)
_BY_TYPE = {spec.type: spec for spec in EVENTS}


def spec_for_type(event_type: str) -> EventSpec:
    """The registered spec of a CloudEvents ``type``; KeyError for an unknown type."""
    return _BY_TYPE[event_type]


def spec_for_subject(subject: str, version: int = 1) -> EventSpec:
    """The registered spec of a subject and payload version; KeyError when there is none."""
    return _BY_TYPE[type_name(subject, version)]


def published_by(service: str) -> list[EventSpec]:
    """The events a service publishes."""
    return list(MODULES[service].PUBLISHES)


def consumed_by(service: str) -> list[EventSpec]:
    """The newest registered version of each subject a service consumes."""
    return [max((s for s in EVENTS if s.subject == subject), key=lambda s: s.version)
            for subject in MODULES[service].CONSUMES]


def consumers_of(subject: str) -> list[str]:
    """The services that consume a subject."""
    return [name for name, module in MODULES.items() if subject in module.CONSUMES]


def _check_registry() -> None:
    for name, module in MODULES.items():
        for spec in module.PUBLISHES:
            if spec.publisher != name or subject_of(spec.type) != spec.subject:
                raise RuntimeError(f"{spec.subject} is declared by {name} but not on its stream")
            if len(spec.subject.split(".")) != 3:
                raise RuntimeError(f"subject must read <service>.<entity>.<verb>: {spec.subject}")
        for subject in module.CONSUMES:
            if not any(s.subject == subject for s in EVENTS):
                raise RuntimeError(f"{name} consumes {subject}, which nobody publishes")
    if len(_BY_TYPE) != len(EVENTS):
        raise RuntimeError("an event type is declared twice")


_check_registry()
