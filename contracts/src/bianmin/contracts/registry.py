"""Every event the platform carries, assembled from the per-service modules in ``events/``.

Streams are one per owning service and capture ``<service>.>``; the dead-letter stream captures
``dlq.>``. The AsyncAPI document and the JSON Schemas in ``contracts/`` are generated from this
registry (``make contracts``), and a test fails when they drift from it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import import_module
from types import ModuleType

from pydantic import BaseModel

from bianmin.contracts.envelope import subject_of, type_name
from bianmin.contracts.services import SERVICES
from bianmin.contracts.spec import EventSpec

MODULES: dict[str, ModuleType] = {name: import_module(f"bianmin.contracts.events.{name}") for name in SERVICES}
DLQ_STREAM = "DLQ"
STREAMS: dict[str, list[str]] = {name.upper(): [f"{name}.>"] for name in SERVICES}
STREAMS[DLQ_STREAM] = ["dlq.>"]
_SUBJECT = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")

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


def durable_name(service: str, stream: str) -> str:
    """The durable consumer through which ``service`` reads ``stream`` (one per pair, so each has its own cursor)."""
    return f"{service}__{stream.lower()}"


def dead_letter_subject(service: str, stream: str) -> str:
    """Where ``service`` parks the messages of ``stream`` that it cannot handle (captured by the DLQ stream)."""
    return f"dlq.{service}.{stream.lower()}"


def check_modules(modules: Mapping[str, ModuleType]) -> None:
    """Refuse a set of per-service event modules that breaks the conventions; RuntimeError names the fault.

    Each module must declare ``PUBLISHES`` and ``CONSUMES``; a published subject reads
    ``<service>.<entity>.<verb>`` in lower snake case on the publisher's own stream; a payload is
    closed to unknown fields; no event version is declared twice; a consumed subject is published
    by some module.
    """
    specs: list[EventSpec] = []
    for name, module in modules.items():
        publishes = getattr(module, "PUBLISHES", None)
        consumes = getattr(module, "CONSUMES", None)
        if not isinstance(publishes, tuple) or not isinstance(consumes, tuple):
            raise RuntimeError(f"events module {name} must declare PUBLISHES and CONSUMES as tuples")
        for spec in publishes:
            if not isinstance(spec, EventSpec):
                raise RuntimeError(f"{name}.PUBLISHES holds {spec!r}, not an EventSpec")
            if not _SUBJECT.fullmatch(spec.subject):
                raise RuntimeError(f"subject must read <service>.<entity>.<verb>: {spec.subject}")
            if spec.publisher != name or subject_of(spec.type) != spec.subject:
                raise RuntimeError(f"{spec.subject} is declared by {name} but not on its stream")
            if spec.version < 1:
                raise RuntimeError(f"{spec.subject} has version {spec.version}; versions start at 1")
            if not (isinstance(spec.payload, type) and issubclass(spec.payload, BaseModel)):
                raise RuntimeError(f"{spec.subject} v{spec.version} has no pydantic payload model")
            if spec.payload.model_config.get("extra") != "forbid":
                raise RuntimeError(f"{spec.payload.__name__} of {spec.subject} must forbid unknown fields (derive from Payload)")
            if not spec.summary.strip():
                raise RuntimeError(f"{spec.subject} v{spec.version} needs a summary")
            specs.append(spec)
    types = [spec.type for spec in specs]
    duplicates = sorted({t for t in types if types.count(t) > 1})
    if duplicates:
        raise RuntimeError(f"an event type is declared twice: {', '.join(duplicates)}")
    subjects = {spec.subject for spec in specs}
    for name, module in modules.items():
        for subject in module.CONSUMES:
            if subject not in subjects:
                raise RuntimeError(f"{name} consumes {subject}, which nobody publishes")


check_modules(MODULES)
