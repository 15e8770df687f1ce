"""Events of the queue service.

Every event's tenant is the hall's code (a township hall's tenant is its township). Payloads carry
no personal data: no ID number, no phone, and at most a masked name (``张*``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from bianmin.contracts.spec import EventSpec, Payload


class TicketIssued(Payload):
    """A ticket was issued at a hall (walk-in, or an appointment checked in)."""

    ticket_id: int
    number: str = Field(description="Ticket number, unique per hall, line and day (A023).")
    hall_code: str
    line_prefix: str
    service_date: date
    kind: Literal["walk_in", "appointment"]
    priorities: list[Literal["elderly", "disabled", "green_channel"]]
    item_code: str | None
    people_ahead: int
    estimated_wait_minutes: int
    issued_at: datetime


class TicketCalled(Payload):
    """A counter called a ticket (first call or recall), with the reason of the pick."""

    ticket_id: int
    number: str
    hall_code: str
    line_prefix: str
    counter_id: int
    counter_number: int
    reason: str = Field(description="appointment_due, priority_elderly, priority_disabled, priority_green_channel, "
                                    "longest_wait, starvation_cap, transfer, or recall.")
    recall_count: int
    wait_seconds: int
    announcement: str
    called_at: datetime


class TicketCompleted(Payload):
    """A counter finished serving a ticket; the service duration is recorded."""

    ticket_id: int
    number: str
    hall_code: str
    line_prefix: str
    counter_id: int
    item_code: str | None
    wait_seconds: int
    service_seconds: int
    completed_at: datetime


class TicketNoShow(Payload):
    """A called ticket did not come to the counter after the allowed recalls."""

    ticket_id: int
    number: str
    hall_code: str
    line_prefix: str
    counter_id: int | None
    recall_count: int
    at: datetime


class EvaluationSubmitted(Payload):
    """A citizen rated a service (好差评, 一次一评); levels 1–2 are bad reviews that open a rectification."""

    evaluation_id: int
    ticket_id: int
    number: str
    hall_code: str
    line_prefix: str
    counter_id: int | None
    item_code: str | None
    level: int = Field(ge=1, le=5, description="5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.")
    level_name: str
    bad_review: bool
    rectification_id: int | None
    submitted_at: datetime


class HallAlert(Payload):
    """A hall breached (or stopped breaching) its live waiting threshold; raised once per breach."""

    alert_id: int
    hall_code: str
    kind: Literal["long_wait"]
    status: Literal["raised", "cleared"]
    waiting_over: int = Field(description="Tickets waiting longer than threshold_minutes at the check.")
    threshold_minutes: int
    threshold_count: int
    at: datetime


PUBLISHES: tuple[EventSpec, ...] = (
    EventSpec("queue.ticket.issued", TicketIssued, "A ticket was issued at a hall."),
    EventSpec("queue.ticket.called", TicketCalled, "A counter called a ticket."),
    EventSpec("queue.ticket.completed", TicketCompleted, "A counter finished serving a ticket."),
    EventSpec("queue.ticket.no_show", TicketNoShow, "A called ticket did not come after the allowed recalls."),
    EventSpec("queue.evaluation.submitted", EvaluationSubmitted, "A citizen evaluated a service."),
    EventSpec("queue.hall.alert", HallAlert, "A hall's waiting threshold was breached or cleared."),
)
CONSUMES: tuple[str, ...] = (
    "catalog.calendar.changed", "catalog.calendar.year_loaded", "catalog.site.changed",
    "catalog.item.published", "catalog.item.updated", "catalog.item.withdrawn")
