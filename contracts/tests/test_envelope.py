"""The CloudEvents envelope: round trips, type names and what it refuses."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from bianmin.contracts.envelope import CloudEvent, subject_of, type_name
from bianmin.contracts.events.bidding import ProjectPublished, SectionTerms
from bianmin.contracts.registry import spec_for_type


def _published() -> ProjectPublished:
    return ProjectPublished(
        code="BM-2026-0001", name="便民区第一小学扩建工程", site_code="330199", category="construction",
        tenderer_name="便民区教育局", tenderer_credit_code="11330199MB0000001X", budget=Decimal("12500000.00"),
        bid_deadline=datetime(2026, 12, 1, 1, 30, tzinfo=UTC), opening_at=datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
        sections=[SectionTerms(code="BM-2026-0001-01", name="一标段", bid_bond_amount=Decimal("200000.00"))],
    )


def test_an_event_survives_the_wire_unchanged() -> None:
    payload = _published()
    event = CloudEvent(source="/bianmin/bidding", type=type_name("bidding.project.published"), subject=payload.code,
                       tenant="330199", data=payload.model_dump(mode="json"))

    received = CloudEvent.model_validate_json(event.model_dump_json())

    assert received == event
    assert spec_for_type(received.type).payload.model_validate(received.data) == payload
    assert received.data["budget"] == "12500000.00"
    assert received.time.tzinfo is not None


def test_the_subject_is_the_type_without_prefix_and_version() -> None:
    assert type_name("credit.enterprise.color_changed") == "bianmin.credit.enterprise.color_changed.v1"
    assert type_name("credit.enterprise.color_changed", 3) == "bianmin.credit.enterprise.color_changed.v3"
    assert subject_of("bianmin.credit.enterprise.color_changed.v3") == "credit.enterprise.color_changed"
    event = CloudEvent(source="/bianmin/queue", type="bianmin.queue.ticket.called.v2", data={})
    assert event.nats_subject == "queue.ticket.called"


@pytest.mark.parametrize("event_type", [
    "other.queue.ticket.called.v1",
    "bianmin.queue.ticket.called",
    "bianmin.queue.ticket.called.vX",
    "bianmin.queue.ticket.called.v",
    "bianmin.v1",
])
def test_a_type_without_prefix_or_version_has_no_subject(event_type: str) -> None:
    with pytest.raises(ValueError, match="event type"):
        subject_of(event_type)


@pytest.mark.parametrize(("field", "value"), [
    ("specversion", "0.3"),
    ("time", datetime(2026, 12, 1, 9, 0)),
    ("surprise", "an attribute nobody declared"),
])
def test_the_envelope_refuses_what_it_does_not_know(field: str, value: object) -> None:
    attributes: dict[str, object] = {"source": "/bianmin/queue", "type": "bianmin.queue.ticket.called.v1", "data": {}}
    with pytest.raises(ValidationError):
        CloudEvent.model_validate({**attributes, field: value})


def test_the_envelope_is_immutable() -> None:
    event = CloudEvent(source="/bianmin/queue", type="bianmin.queue.ticket.called.v1", data={})
    with pytest.raises(ValidationError):
        event.tenant = "330199001"  # type: ignore[misc]
