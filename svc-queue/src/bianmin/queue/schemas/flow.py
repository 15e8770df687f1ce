"""Schemas of display boards, live figures and history (人流监测)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel


class CurrentCall(BaseModel):
    """The ticket a counter has called or is serving, name masked."""

    number: str
    state: str
    name: str | None
    called_at: datetime | None


class BoardCounter(BaseModel):
    """A counter on the board."""

    counter_id: int
    number: int
    name: str
    state: str
    current: CurrentCall | None


class CallRead(BaseModel):
    """One announcement of the hall's call log (the SSE ``data`` of a call event)."""

    seq: int
    hall_code: str
    number: str
    counter_number: int
    name: str | None
    kind: str
    reason: str
    text: str
    called_at: str


class BoardRead(BaseModel):
    """What a display board shows."""

    hall_code: str
    hall_name: str
    last_seq: int
    counters: list[BoardCounter]
    last_calls: list[CallRead]


class LineLive(BaseModel):
    """Waiting figures of one line right now."""

    line: str
    name: str
    waiting: int
    longest_wait_minutes: Decimal | None


class LiveStats(BaseModel):
    """A hall's figures right now."""

    hall_code: str
    at: str
    waiting: int
    lines: list[LineLive]
    open_counters: int
    issued_today: int
    done_today: int
    no_show_today: int
    average_wait_minutes: Decimal | None
    waiting_over_threshold: int
    threshold_minutes: int
    alert_open: bool


class HistoryRead(BaseModel):
    """Figures of a period; ``definitions`` says how each is computed."""

    from_date: date | None
    to_date: date | None
    halls: list[str] | None
    tickets: int
    per_hour: dict[str, int]
    per_line: dict[str, int]
    wait_mean: Decimal | None
    wait_p90: Decimal | None
    service_mean: Decimal | None
    service_p90: Decimal | None
    done: int
    no_show: int
    no_show_rate: Decimal | None
    evaluations: int
    satisfaction_rate: Decimal | None
    mean_level: Decimal | None
    definitions: str
