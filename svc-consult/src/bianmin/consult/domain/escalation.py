"""The escalation ladder of consultations and of the suggestion box, run by a worker safe with replicas.

:func:`run_escalations` looks at every live consultation whose deadline is near or past, works out
which ladder steps are due at ``now`` (:func:`bianmin.consult.domain.deadlines.ladder`) and records
each step once per consultation, round and ladder: the row goes in with ``INSERT … ON CONFLICT DO
NOTHING`` on the unique (consultation, round, ladder, step), and only the replica whose insert took
effect emits the ``consult.consultation.escalated`` event, in the same transaction. A second
replica, or the same one on its next pass, finds the row and does nothing. Consultations waiting
for the asker are skipped: their clock stands still. The report step names the department's
supervisor (or the configured default supervisor).

Restarts: an approved extension starts a new ladder (``Consultation.ladder`` + 1) from the new
deadline. The steps of the old ladder stay in the history; the new one sends its own pre-warning,
urge, notice and report as the new deadline nears and passes. A reopening starts a new round, which
has its own ladder too. A pause for the asker does not restart the ladder: the steps already taken
stand and the later ones count from the deadline the pause moved.

:func:`run_suggestion_escalations` applies the same ladder, with the same settings, to suggestions
and complaints in the electronic suggestion box that are still received or being handled (praise
needs no reply and has no ladder); each step is recorded once per entry on the unique (entry, step)
and published as ``consult.suggestion.escalated``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.consult.domain import deadlines
from bianmin.consult.models import Consultation, Department, Escalation, Suggestion, SuggestionEscalation
from bianmin.contracts.events.consult import ConsultationEscalated, SuggestionEscalated
from bianmin.kit.calendar import load_calendar
from bianmin.kit.events import emit

LOOKAHEAD = timedelta(days=30)
FOREVER = datetime(9999, 1, 1, tzinfo=UTC)
LADDER_KINDS = ("suggestion", "complaint")
LIVE_ENTRY = ("received", "handling")


async def _insert_once(session: AsyncSession, table: Any, values: dict[str, Any], keys: list[str]) -> bool:
    """Insert a ladder row unless its key is taken; True only for the insert that took effect."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    result = await session.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=keys))
    return bool(result.rowcount)


async def _supervisors(session: AsyncSession) -> dict[str, str | None]:
    return {d.code: d.supervisor_code for d in (await session.execute(select(Department))).scalars()}


def _horizon(policy: deadlines.Policy, now: datetime) -> datetime:
    """The latest deadline worth looking at (every deadline when the ladder's clock runs fast)."""
    return now + LOOKAHEAD if policy.day_seconds >= deadlines.DAY_SECONDS else FOREVER


async def run_escalations(session: AsyncSession, *, now: datetime, policy: deadlines.Policy) -> list[tuple[str, str]]:
    """Take every consultation ladder step due at ``now``; the (number, step) pairs taken this time."""
    calendar = await load_calendar(session)
    query = (select(Consultation)
             .where(Consultation.status.in_(("open", "assigned")), Consultation.due_at <= _horizon(policy, now))
             .order_by(Consultation.due_at))
    supervisors = await _supervisors(session)
    taken: list[tuple[str, str]] = []
    for consultation in (await session.execute(query)).scalars():
        judged = deadlines.ladder_now(policy, started_at=consultation.clock_started_at, now=now)
        for step in deadlines.ladder(calendar, deadline=consultation.due_at, now=judged, policy=policy):
            values = {"consultation_id": consultation.id, "round": consultation.round, "ladder": consultation.ladder,
                      "step": step, "department_code": consultation.department_code,
                      "due_at": consultation.due_at, "at": now}
            if not await _insert_once(session, Escalation, values, ["consultation_id", "round", "ladder", "step"]):
                continue
            supervisor = None
            if step == "report":
                supervisor = supervisors.get(consultation.department_code or "") or policy.default_supervisor
            await emit(session, "consult.consultation.escalated", ConsultationEscalated(
                consultation_id=consultation.id, number=consultation.number, step=step,  # type: ignore[arg-type]
                round=consultation.round, department_code=consultation.department_code,
                supervisor_code=supervisor, due_at=consultation.due_at, escalated_at=now,
                overdue_workdays=deadlines.overdue_workdays(calendar, consultation.due_at, judged)),
                tenant=consultation.tenant, about=consultation.number)
            taken.append((consultation.number, step))
    await session.flush()
    return taken


async def run_suggestion_escalations(session: AsyncSession, *, now: datetime,
                                     policy: deadlines.Policy) -> list[tuple[str, str]]:
    """Take every suggestion-box ladder step due at ``now``; the (entry id, step) pairs taken this time."""
    calendar = await load_calendar(session)
    query = (select(Suggestion)
             .where(Suggestion.status.in_(LIVE_ENTRY), Suggestion.kind.in_(LADDER_KINDS),
                    Suggestion.due_at <= _horizon(policy, now))
             .order_by(Suggestion.due_at))
    supervisors = await _supervisors(session)
    taken: list[tuple[str, str]] = []
    for entry in (await session.execute(query)).scalars():
        judged = deadlines.ladder_now(policy, started_at=entry.submitted_at, now=now)
        for step in deadlines.ladder(calendar, deadline=entry.due_at, now=judged, policy=policy):
            supervisor = (supervisors.get(entry.department_code) or policy.default_supervisor) if step == "report" \
                else None
            values = {"suggestion_id": entry.id, "step": step, "department_code": entry.department_code,
                      "supervisor_code": supervisor, "due_at": entry.due_at, "at": now}
            if not await _insert_once(session, SuggestionEscalation, values, ["suggestion_id", "step"]):
                continue
            await emit(session, "consult.suggestion.escalated", SuggestionEscalated(
                suggestion_id=entry.id, kind=entry.kind, step=step,  # type: ignore[arg-type]
                department_code=entry.department_code, supervisor_code=supervisor, due_at=entry.due_at,
                escalated_at=now, overdue_workdays=deadlines.overdue_workdays(calendar, entry.due_at, judged)),
                tenant=entry.tenant, about=entry.id)
            taken.append((entry.id, step))
    await session.flush()
    return taken
