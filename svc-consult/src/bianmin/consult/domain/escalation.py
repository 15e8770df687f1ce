"""The escalation ladder, run by a worker that is safe with several replicas.

:func:`run_escalations` looks at every live consultation whose deadline is near or past, works out
which ladder steps are due at ``now`` (:func:`bianmin.consult.domain.deadlines.ladder`) and records
each step once per consultation and round: the row goes in with ``INSERT … ON CONFLICT DO NOTHING``
on the unique (consultation, round, step), and only the replica whose insert took effect emits the
``consult.consultation.escalated`` event, in the same transaction. A second replica, or the same one
on its next pass, finds the row and does nothing. Consultations waiting for the asker are skipped:
their clock stands still. The report step names the department's supervisor (or the configured
default supervisor). The worker that calls this lives in :mod:`bianmin.consult.workers`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.consult.domain import deadlines
from bianmin.consult.models import Consultation, Department, Escalation
from bianmin.contracts.events.consult import ConsultationEscalated
from bianmin.kit.calendar import load_calendar
from bianmin.kit.events import emit

LOOKAHEAD = timedelta(days=30)


async def _record(session: AsyncSession, consultation: Consultation, step: str, now: datetime) -> bool:
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    result = await session.execute(insert(Escalation).values(
        consultation_id=consultation.id, round=consultation.round, step=step,
        department_code=consultation.department_code, due_at=consultation.due_at, at=now,
    ).on_conflict_do_nothing(index_elements=["consultation_id", "round", "step"]))
    return bool(result.rowcount)


async def run_escalations(session: AsyncSession, *, now: datetime, policy: deadlines.Policy) -> list[tuple[str, str]]:
    """Take every ladder step due at ``now``; the (consultation number, step) pairs taken this time."""
    calendar = await load_calendar(session)
    query = (select(Consultation)
             .where(Consultation.status.in_(("open", "assigned")), Consultation.due_at <= now + LOOKAHEAD)
             .order_by(Consultation.due_at))
    supervisors = {d.code: d.supervisor_code for d in (await session.execute(select(Department))).scalars()}
    taken: list[tuple[str, str]] = []
    for consultation in (await session.execute(query)).scalars():
        for step in deadlines.ladder(calendar, deadline=consultation.due_at, now=now, policy=policy):
            if not await _record(session, consultation, step, now):
                continue
            supervisor = None
            if step == "report":
                supervisor = supervisors.get(consultation.department_code or "") or policy.default_supervisor
            await emit(session, "consult.consultation.escalated", ConsultationEscalated(
                consultation_id=consultation.id, number=consultation.number, step=step,  # type: ignore[arg-type]
                round=consultation.round, department_code=consultation.department_code,
                supervisor_code=supervisor, due_at=consultation.due_at, escalated_at=now,
                overdue_workdays=deadlines.overdue_workdays(calendar, consultation.due_at, now)),
                tenant=consultation.tenant, about=consultation.number)
            taken.append((consultation.number, step))
    await session.flush()
    return taken
