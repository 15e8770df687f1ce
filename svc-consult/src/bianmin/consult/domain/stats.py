"""Figures of the consult service: what came in, what was answered and how fast, and how people rated it.

Definitions (a period is a closed range of calendar days in Asia/Shanghai, on the submission day;
a selection may narrow them to some departments and to one site, the caller's when it is not
district-wide):
- received: consultations submitted in the period;
- answered: of those, the ones answered (in any round);
- on-time rate: answered on or before their deadline ÷ answered;
- first response: working hours (office hours of working days) from submission to the first
  answer or request for information, as the p50 and p90 (nearest rank);
- escalations: ladder steps taken in the period, per step;
- satisfaction: rated 非常满意/满意/基本满意 ÷ rated, with the count per level;
- top unanswered topics: the topics (item name or routing keyword, else 未分类) of the period's
  consultations still open, assigned or waiting, most frequent first.

The cockpit's figures (:func:`overview`, the service's ``ServiceSpec.stats``) are the same
figures, each with its definition, of the sites the caller sees: a township's cockpit its own sites
only, a staff member the sites where it holds a role (issue 19, :func:`~bianmin.consult.domain.access.sites_of`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.consult.domain import deadlines
from bianmin.consult.domain.access import site_rows, sites_of
from bianmin.consult.models import Consultation, Escalation
from bianmin.kit.calendar import load_calendar
from bianmin.kit.stats import Figure, Period, StatsContext
from bianmin.kit.workdays import SHANGHAI, WorkCalendar

GOOD_LEVELS = ("very_satisfied", "satisfied", "basically_satisfied")
LEVELS = (*GOOD_LEVELS, "dissatisfied", "very_dissatisfied")
UNSORTED = "未分类"


@dataclass
class ConsultFigures:
    """The computed figures of one period and department selection."""

    received: int
    answered: int
    on_time_rate: Decimal | None
    first_response_hours_p50: Decimal | None
    first_response_hours_p90: Decimal | None
    escalations: dict[str, int]
    satisfaction_rate: Decimal | None
    ratings: dict[str, int]
    top_unanswered_topics: list[tuple[str, int]]
    unanswered: int = 0


def bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """The instants that open and close a period of Shanghai calendar days."""
    lo = datetime.combine(start, time.min, tzinfo=SHANGHAI) if start else None
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI) if end else None
    return lo, hi


def _ratio(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def _hours(seconds: float | None) -> Decimal | None:
    return None if seconds is None else (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))


async def figures(session: AsyncSession, *, start: date | None, end: date | None, departments: list[str] | None,
                  calendar: WorkCalendar, policy: deadlines.Policy, top: int = 5,
                  sites: list[str] | None = None) -> ConsultFigures:
    """Compute the figures for consultations submitted in the period, optionally for some departments or sites."""
    lo, hi = bounds(start, end)
    query = select(Consultation.submitted_at, Consultation.first_response_at, Consultation.answered_at,
                   Consultation.answered_on_time, Consultation.rating, Consultation.status, Consultation.topic)
    steps = select(Escalation.step, func.count()).group_by(Escalation.step)
    if lo is not None:
        query, steps = query.where(Consultation.submitted_at >= lo), steps.where(Escalation.at >= lo)
    if hi is not None:
        query, steps = query.where(Consultation.submitted_at < hi), steps.where(Escalation.at < hi)
    if departments is not None:
        query = query.where(Consultation.department_code.in_(departments))
        steps = steps.where(Escalation.department_code.in_(departments))
    if sites is not None:
        query = query.where(*site_rows(Consultation.tenant, sites))
        steps = steps.join(Consultation, Consultation.id == Escalation.consultation_id).where(
            *site_rows(Consultation.tenant, sites))
    rows = (await session.execute(query)).all()
    answered = [r for r in rows if r.answered_at is not None]
    waits = [deadlines.working_seconds(calendar, r.submitted_at, r.first_response_at,
                                       work_start=policy.work_start, work_end=policy.work_end)
             for r in rows if r.first_response_at is not None]
    ratings = Counter(r.rating for r in rows if r.rating)
    open_topics = Counter(r.topic or UNSORTED for r in rows if r.status in ("open", "assigned", "waiting"))
    escalations = {step: 0 for step in deadlines.STEPS}
    escalations.update({step: int(n) for step, n in (await session.execute(steps)).all()})
    return ConsultFigures(
        received=len(rows), answered=len(answered),
        on_time_rate=_ratio(sum(1 for r in answered if r.answered_on_time), len(answered)),
        first_response_hours_p50=_hours(deadlines.percentile(waits, 0.5)),
        first_response_hours_p90=_hours(deadlines.percentile(waits, 0.9)),
        escalations=escalations,
        satisfaction_rate=_ratio(sum(ratings[level] for level in GOOD_LEVELS), sum(ratings.values())),
        ratings={level: ratings[level] for level in LEVELS},
        top_unanswered_topics=open_topics.most_common(top), unanswered=sum(open_topics.values()))


async def overview(ctx: StatsContext) -> list[Figure]:
    """The cockpit's figures of the caller's sites, counting first responses in the configured office hours."""
    return await figures_for(ctx.session, ctx.period, deadlines.Policy.from_settings(ctx.settings),
                             sites=sites_of(ctx.principal))


async def figures_for(session: AsyncSession, period: Period, policy: deadlines.Policy,
                      sites: list[str] | None = None) -> list[Figure]:
    """The cockpit's figures for a period under a policy (its working hours above all), of some sites (None: all)."""
    found = await figures(session, start=period.start, end=period.end, departments=None,
                          calendar=await load_calendar(session), policy=policy, sites=sites)
    hours = f"{policy.work_start:%H:%M}–{policy.work_end:%H:%M}"
    return [
        Figure(name="consultations_received", value=found.received, unit="consultations",
               definition="Consultations submitted in the period (Asia/Shanghai days)."),
        Figure(name="consultations_answered", value=found.answered, unit="consultations",
               definition="Of those, the ones answered."),
        Figure(name="on_time_rate", value=found.on_time_rate, unit="ratio",
               definition="Answered on or before the working-day deadline ÷ answered."),
        Figure(name="first_response_hours_p50", value=found.first_response_hours_p50, unit="working hours",
               definition=f"Median working hours ({hours} on working days) from submission to the first answer "
                          "or request for information."),
        Figure(name="first_response_hours_p90", value=found.first_response_hours_p90, unit="working hours",
               definition=f"90th percentile (nearest rank) of the working hours ({hours} on working days) from "
                          "submission to the first answer or request for information."),
        Figure(name="escalations", value=sum(found.escalations.values()), unit="steps",
               definition="Escalation ladder steps taken in the period (pre-warning, urge, notice, report).",
               breakdown=dict(found.escalations)),
        Figure(name="satisfaction_rate", value=found.satisfaction_rate, unit="ratio",
               definition="Ratings 非常满意, 满意 or 基本满意 ÷ all ratings.", breakdown=dict(found.ratings)),
        Figure(name="unanswered", value=found.unanswered, unit="consultations",
               definition="Consultations of the period still open, assigned or waiting; the breakdown gives "
                          "the most frequent topics (item name or routing keyword, else 未分类).",
               breakdown=dict(found.top_unanswered_topics)),
    ]
