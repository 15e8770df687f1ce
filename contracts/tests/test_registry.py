"""The event registry: its conventions hold for the real modules and refuse broken ones."""

from types import ModuleType
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from bianmin.contracts.registry import (
    DLQ_STREAM,
    EVENTS,
    MODULES,
    SERVICES,
    STREAMS,
    check_modules,
    consumed_by,
    consumers_of,
    dead_letter_subject,
    durable_name,
    published_by,
    spec_for_subject,
    spec_for_type,
)
from bianmin.contracts.spec import EventSpec, Payload


class Thing(Payload):
    """A payload for constructed modules."""

    code: str


class OpenThing(BaseModel):
    """A payload that accepts unknown fields, which the registry refuses."""

    code: str


def _module(name: str, publishes: tuple[Any, ...] = (), consumes: tuple[str, ...] = ()) -> ModuleType:
    module = ModuleType(f"bianmin.contracts.events.{name}")
    module.PUBLISHES = publishes  # type: ignore[attr-defined]
    module.CONSUMES = consumes  # type: ignore[attr-defined]
    return module


def test_the_registered_modules_keep_the_conventions() -> None:
    check_modules(MODULES)
    assert set(SERVICES) == {"catalog", "queue", "consult", "bidding", "guarantee", "credit", "webhooks"}


def test_well_formed_modules_pass() -> None:
    check_modules({
        "alpha": _module("alpha", (EventSpec("alpha.thing.made", Thing, "A thing was made."),
                                   EventSpec("alpha.thing.made", Thing, "A thing was made, v2.", version=2))),
        "beta": _module("beta", consumes=("alpha.thing.made",)),
    })


@pytest.mark.parametrize(("modules", "fault"), [
    ({"alpha": _module("alpha", (EventSpec("beta.thing.made", Thing, "Made."),))}, "not on its stream"),
    ({"alpha": _module("alpha", (EventSpec("alpha.made", Thing, "Made."),))}, "<service>.<entity>.<verb>"),
    ({"alpha": _module("alpha", (EventSpec("alpha.thing.made.twice", Thing, "Made."),))}, "<service>.<entity>.<verb>"),
    ({"alpha": _module("alpha", (EventSpec("alpha.Thing.made", Thing, "Made."),))}, "<service>.<entity>.<verb>"),
    ({"alpha": _module("alpha", (EventSpec("alpha.thing.made", Thing, "Made."),
                                 EventSpec("alpha.thing.made", Thing, "Made again.")))}, "declared twice"),
    ({"alpha": _module("alpha", consumes=("beta.thing.made",))}, "nobody publishes"),
    ({"alpha": _module("alpha", (EventSpec("alpha.thing.made", OpenThing, "Made."),))}, "forbid unknown fields"),
    ({"alpha": _module("alpha", (EventSpec("alpha.thing.made", Thing, "Made.", version=0),))}, "versions start at 1"),
    ({"alpha": _module("alpha", (EventSpec("alpha.thing.made", Thing, " "),))}, "needs a summary"),
    ({"alpha": _module("alpha", ("alpha.thing.made",))}, "not an EventSpec"),
    ({"alpha": _module("alpha", [EventSpec("alpha.thing.made", Thing, "Made.")])}, "as tuples"),  # type: ignore[arg-type]
    ({"alpha": ModuleType("bianmin.contracts.events.alpha")}, "as tuples"),
])
def test_malformed_modules_are_refused(modules: dict[str, ModuleType], fault: str) -> None:
    with pytest.raises(RuntimeError, match=fault.replace(".", r"\.")):
        check_modules(modules)


def test_every_payload_refuses_an_unknown_field() -> None:
    for spec in EVENTS:
        with pytest.raises(ValidationError) as raised:
            spec.payload.model_validate({"an_unknown_field": 1})
        assert "extra_forbidden" in {error["type"] for error in raised.value.errors()}, spec.type


def test_specs_are_found_by_type_and_by_subject() -> None:
    for spec in EVENTS:
        assert spec_for_type(spec.type) is spec
        assert spec_for_subject(spec.subject, spec.version) is spec
    with pytest.raises(KeyError):
        spec_for_type("bianmin.nobody.nothing.happened.v1")
    with pytest.raises(KeyError):
        spec_for_subject(EVENTS[0].subject, version=99)


def test_each_service_publishes_on_its_own_stream_and_consumes_what_others_publish() -> None:
    for service in SERVICES:
        assert STREAMS[service.upper()] == [f"{service}.>"]
        assert all(spec.stream == service.upper() for spec in published_by(service))
        for spec in consumed_by(service):
            assert service in consumers_of(spec.subject)
    assert STREAMS[DLQ_STREAM] == ["dlq.>"]


def test_dead_letters_land_in_the_dead_letter_stream() -> None:
    assert durable_name("guarantee", "BIDDING") == "guarantee__bidding"
    assert dead_letter_subject("guarantee", "BIDDING") == "dlq.guarantee.bidding"
    assert dead_letter_subject("guarantee", "BIDDING").startswith(STREAMS[DLQ_STREAM][0].removesuffix(">"))
