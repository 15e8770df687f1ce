"""Schemas of the consult service's statistics."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel


class TopicCount(BaseModel):
    """A topic and how many unanswered consultations it has."""

    topic: str
    count: int


class ConsultStats(BaseModel):
    """Received, answered, on time, response times, escalations, satisfaction and open topics."""

    start: date | None
    end: date | None
    departments: list[str] | None
    received: int
    answered: int
    on_time_rate: Decimal | None
    first_response_hours_p50: Decimal | None
    first_response_hours_p90: Decimal | None
    escalations: dict[str, int]
    satisfaction_rate: Decimal | None
    ratings: dict[str, int]
    top_unanswered_topics: list[TopicCount]
