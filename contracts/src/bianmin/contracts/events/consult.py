"""Events of the consult service.

Payloads carry identifiers, codes and times only: never the asker's name, contact details or the
text of a question, so that any integrator may subscribe without receiving personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from bianmin.contracts.spec import EventSpec, Payload

Kind = Literal["consultation", "request", "complaint"]
Channel = Literal["web", "app", "kiosk", "phone"]
Step = Literal["prewarning", "urge", "notice", "report"]
Level = Literal["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"]


class ConsultationCreated(Payload):
    """A citizen or company asked a question; it was routed to a department or to triage."""

    consultation_id: str
    number: str = Field(description="The readable number the asker is told (ZX…).")
    kind: Kind
    channel: Channel
    department_code: str | None = Field(description="None while the question waits in triage.")
    item_code: str | None
    routed_by: Literal["item", "asker", "rule", "triage"]
    submitted_at: datetime
    due_at: datetime


class ConsultationAnswered(Payload):
    """A department answered a consultation."""

    consultation_id: str
    number: str
    department_code: str
    answered_at: datetime
    due_at: datetime
    on_time: bool


class ConsultationEscalated(Payload):
    """A step of the escalation ladder was taken: pre-warning, urge (催办), notice (通报) or report."""

    consultation_id: str
    number: str
    step: Step
    round: int = Field(description="0 for the first answer, n after the n-th reopening.")
    department_code: str | None
    supervisor_code: str | None = Field(description="The department a report goes to.")
    due_at: datetime
    escalated_at: datetime
    overdue_workdays: int


class ConsultationRated(Payload):
    """The asker rated an answer (好差评 levels); a bad rating opens a rectification case."""

    consultation_id: str
    number: str
    department_code: str | None
    level: Level
    bad: bool
    follow_up: bool = Field(description="True for the rating after a rectification (追评).")
    rated_at: datetime


class SuggestionCreated(Payload):
    """A suggestion, complaint or praise reached the electronic suggestion box (电子意见箱)."""

    suggestion_id: str
    kind: Literal["suggestion", "complaint", "praise"]
    department_code: str
    anonymous: bool
    submitted_at: datetime
    due_at: datetime


class SuggestionEscalated(Payload):
    """A suggestion or complaint in the box reached a step of the escalation ladder."""

    suggestion_id: str
    kind: Literal["suggestion", "complaint"]
    step: Step
    department_code: str
    supervisor_code: str | None = Field(description="The department a report goes to.")
    due_at: datetime
    escalated_at: datetime
    overdue_workdays: int


PUBLISHES: tuple[EventSpec, ...] = (
    EventSpec("consult.consultation.created", ConsultationCreated, "A consultation was submitted and routed."),
    EventSpec("consult.consultation.answered", ConsultationAnswered, "A consultation was answered."),
    EventSpec("consult.consultation.escalated", ConsultationEscalated,
              "A consultation reached a step of the escalation ladder."),
    EventSpec("consult.consultation.rated", ConsultationRated, "The asker rated an answer."),
    EventSpec("consult.suggestion.created", SuggestionCreated, "A suggestion-box entry was submitted."),
    EventSpec("consult.suggestion.escalated", SuggestionEscalated,
              "A suggestion or complaint reached a step of the escalation ladder."),
)
CONSUMES: tuple[str, ...] = (
    "catalog.calendar.changed", "catalog.calendar.year_loaded", "catalog.site.changed",
    "catalog.item.published", "catalog.item.updated", "catalog.item.withdrawn")
