"""People flow (人流监测): the board, live figures of a hall, and history over a period.

Definitions (also given with each cockpit figure):
- wait time: from issue to the first call; service time: the recorded service duration of done tickets;
- p90: the nearest-rank 90th percentile (the value below or at which 90% of the observations lie);
- no-show rate: no-show tickets ÷ (done + no-show) tickets;
- satisfaction: the share of evaluations rated 基本满意 or better (levels 3–5), and the mean level; a
  review voided on an upheld appeal (申诉复核, 国办发〔2019〕51号) counts in no figure;
- tickets per hour: tickets issued per local (Asia/Shanghai) hour of the day.
"""

from __future__ import annotations

import math
from collections import Counter as Tally
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.kit.workdays import SHANGHAI, local_date
from bianmin.queue.models import CallLog, Counter, Evaluation, Hall, Line, Rectification, Ticket


def p90(values: list[float]) -> float | None:
    """The nearest-rank 90th percentile, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def mean(values: list[float]) -> float | None:
    """The arithmetic mean, or None for no values."""
    return sum(values) / len(values) if values else None


def minutes(seconds: float | None) -> Decimal | None:
    """Seconds as minutes with one decimal."""
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ratio(part: int, whole: int) -> Decimal | None:
    """A share with four decimals, or None when the whole is zero."""
    return None if whole == 0 else (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class Board:
    """What a display board shows: the hall, its counters, each counter's current ticket, the last calls."""

    hall: Hall
    counters: Sequence[Counter]
    current: dict[int, Ticket]
    calls: Sequence[CallLog]


async def board(session: AsyncSession, hall: Hall, now: datetime, *, last: int = 10) -> Board:
    """Each counter of a hall with the ticket it has called or is serving today, and the hall's last calls."""
    counters = (await session.scalars(select(Counter).where(Counter.hall_code == hall.code)
                                      .order_by(Counter.number))).all()
    current = {t.counter_id: t for t in (await session.scalars(select(Ticket).where(
        Ticket.hall_code == hall.code, Ticket.state.in_(("called", "serving")),
        Ticket.service_date == local_date(now)))).all() if t.counter_id is not None}
    calls = (await session.scalars(select(CallLog).where(CallLog.hall_code == hall.code)
                                   .order_by(CallLog.seq.desc()).limit(last))).all()
    return Board(hall, counters, current, calls)


async def calls_after(session: AsyncSession, hall_code: str, after: int, limit: int) -> Sequence[CallLog]:
    """The hall's calls with a sequence number above ``after``, in order, at most ``limit`` of them."""
    return (await session.scalars(select(CallLog).where(CallLog.hall_code == hall_code, CallLog.seq > after)
                                  .order_by(CallLog.seq).limit(limit))).all()


async def waiting_over(session: AsyncSession, hall_code: str, now: datetime, minutes_over: int) -> int:
    """Tickets of a hall waiting today for longer than ``minutes_over``."""
    rows = (await session.scalars(select(Ticket.id).where(
        Ticket.hall_code == hall_code, Ticket.state == "waiting", Ticket.service_date == local_date(now),
        Ticket.queued_at < now - timedelta(minutes=minutes_over)))).all()
    return len(rows)


async def live(session: AsyncSession, hall: Hall, now: datetime) -> dict[str, Any]:
    """A hall's figures right now: waiting per line, longest wait, open counters, today's throughput."""
    today = local_date(now)
    lines = (await session.scalars(select(Line).where(Line.hall_code == hall.code).order_by(Line.prefix))).all()
    rows = (await session.scalars(select(Ticket).where(Ticket.hall_code == hall.code,
                                                       Ticket.service_date == today))).all()
    counters = (await session.scalars(select(Counter.state).where(Counter.hall_code == hall.code))).all()
    per_line = []
    for line in lines:
        waiting = [t for t in rows if t.line_id == line.id and t.state == "waiting"]
        longest = max(((now - t.queued_at).total_seconds() for t in waiting), default=0)
        per_line.append({"line": line.prefix, "name": line.name, "waiting": len(waiting),
                         "longest_wait_minutes": minutes(longest)})
    waits = [(t.first_called_at - t.issued_at).total_seconds() for t in rows if t.first_called_at]
    over = sum(1 for t in rows if t.state == "waiting"
               and t.queued_at < now - timedelta(minutes=hall.alert_wait_minutes))
    return {
        "hall_code": hall.code, "at": now.isoformat(), "waiting": sum(1 for t in rows if t.state == "waiting"),
        "lines": per_line, "open_counters": sum(1 for s in counters if s == "open"),
        "issued_today": len(rows), "done_today": sum(1 for t in rows if t.state == "done"),
        "no_show_today": sum(1 for t in rows if t.state == "no_show"),
        "average_wait_minutes": minutes(mean(waits)),
        "waiting_over_threshold": over, "threshold_minutes": hall.alert_wait_minutes,
        "alert_open": hall.alert_open_since is not None,
    }


@dataclass(frozen=True)
class History:
    """Figures of tickets and evaluations over a period."""

    tickets: int
    per_hour: dict[str, int]
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
    per_line: dict[str, int]


async def history(session: AsyncSession, *, start: date | None, end: date | None,
                  halls: list[str] | None) -> History:
    """The period's figures for some halls (None: every hall)."""
    statement = select(Ticket, Line.prefix).join(Line, Line.id == Ticket.original_line_id)
    evaluations = (select(Evaluation.level, Evaluation.created_at)
                   .outerjoin(Rectification, Rectification.evaluation_id == Evaluation.id)
                   .where(or_(Rectification.state.is_(None), Rectification.state != "voided")))
    if start is not None:
        statement = statement.where(Ticket.service_date >= start)
        evaluations = evaluations.where(Evaluation.created_at >= datetime.combine(start, datetime.min.time(), SHANGHAI))
    if end is not None:
        statement = statement.where(Ticket.service_date <= end)
        evaluations = evaluations.where(
            Evaluation.created_at < datetime.combine(end + timedelta(days=1), datetime.min.time(), SHANGHAI))
    if halls is not None:
        statement = statement.where(Ticket.hall_code.in_(halls))
        evaluations = evaluations.where(Evaluation.hall_code.in_(halls))
    rows = (await session.execute(statement)).all()
    levels = [level for level, _ in (await session.execute(evaluations)).all()]
    tickets = [t for t, _ in rows]
    waits = [(t.first_called_at - t.issued_at).total_seconds() for t in tickets if t.first_called_at]
    services = [float(t.service_seconds) for t in tickets if t.state == "done"]
    hours = Tally(f"{t.issued_at.astimezone(SHANGHAI).hour:02d}" for t in tickets)
    done = sum(1 for t in tickets if t.state == "done")
    no_show = sum(1 for t in tickets if t.state == "no_show")
    return History(
        tickets=len(tickets), per_hour=dict(sorted(hours.items())),
        wait_mean=minutes(mean(waits)), wait_p90=minutes(p90(waits)),
        service_mean=minutes(mean(services)), service_p90=minutes(p90(services)),
        done=done, no_show=no_show, no_show_rate=ratio(no_show, done + no_show), evaluations=len(levels),
        satisfaction_rate=ratio(sum(1 for v in levels if v >= 3), len(levels)),
        mean_level=None if not levels else (Decimal(sum(levels)) / len(levels)).quantize(Decimal("0.01")),
        per_line=dict(sorted(Tally(prefix for _, prefix in rows).items())),
    )
