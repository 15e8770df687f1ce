"""The queue's figures for the cockpit (数据驾驶舱), each with its definition, of the halls the caller may see.

A township's cockpit sees its own sites only (issue 19): the halls within the app's tenancy and,
when a staff member signs in, within the sites where it holds a role (a role reaches the sites
below it, :mod:`bianmin.kit.sites`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.kit import subjects
from bianmin.kit.identity import Principal
from bianmin.kit.sites import within
from bianmin.kit.stats import Figure, StatsContext
from bianmin.queue.domain import flow
from bianmin.queue.models import Hall


async def visible_halls(session: AsyncSession, principal: Principal) -> list[str] | None:
    """The codes of the halls whose figures ``principal`` sees (None: every hall, for a district key or operator)."""
    staff = principal.subject if principal.is_a(subjects.STAFF) else None
    if principal.district_wide and staff is None:
        return None
    rows = (await session.execute(select(Hall.code, Hall.tenant).order_by(Hall.code))).all()
    return [code for code, tenant in rows if principal.may_act_on(tenant)
            and (staff is None or any(within(code, role.site) for role in staff.roles))]


async def queue_figures(ctx: StatsContext) -> list[Figure]:
    """Tickets, wait and service times, no-show rate and satisfaction of the caller's halls over the period."""
    session, period = ctx.session, ctx.period
    visible = await visible_halls(session, ctx.principal)
    h = await flow.history(session, start=period.start, end=period.end, halls=visible)
    codes = visible if visible is not None else (await session.execute(select(Hall.code).order_by(Hall.code))).scalars().all()
    halls = {code: await flow.history(session, start=period.start, end=period.end, halls=[code]) for code in codes}
    return [
        Figure(name="tickets", value=h.tickets, unit="tickets",
               definition="Tickets issued in the period (walk-in and checked-in appointments), every hall the caller sees.",
               breakdown={**h.per_line}),
        Figure(name="tickets_per_hour", value=h.tickets, unit="tickets",
               definition="Tickets issued per local hour of the day (Asia/Shanghai) over the period.",
               breakdown={**h.per_hour}),
        Figure(name="wait_mean", value=h.wait_mean, unit="minutes",
               definition="Mean time from issue to first call of the tickets called in the period."),
        Figure(name="wait_p90", value=h.wait_p90, unit="minutes",
               definition="Nearest-rank 90th percentile of the time from issue to first call."),
        Figure(name="service_mean", value=h.service_mean, unit="minutes",
               definition="Mean recorded service time (start to complete) of done tickets."),
        Figure(name="service_p90", value=h.service_p90, unit="minutes",
               definition="Nearest-rank 90th percentile of the recorded service time of done tickets."),
        Figure(name="no_show_rate", value=h.no_show_rate, unit="ratio",
               definition="No-show tickets divided by done plus no-show tickets."),
        Figure(name="satisfaction_rate", value=h.satisfaction_rate, unit="ratio",
               definition="Share of evaluations (好差评) rated 基本满意 or better (levels 3-5); reviews voided on an "
                          "upheld appeal are not counted.",
               breakdown={"evaluations": h.evaluations, "mean_level": h.mean_level}),
        Figure(name="tickets_per_hall", value=h.tickets, unit="tickets",
               definition="Tickets issued in the period (walk-in and checked-in appointments), per hall code.",
               breakdown={code: x.tickets for code, x in halls.items()}),
        Figure(name="wait_mean_per_hall", value=h.wait_mean, unit="minutes",
               definition="Mean time from issue to first call of the tickets called in the period, per hall code "
                          "(none where no ticket was called).",
               breakdown={code: x.wait_mean for code, x in halls.items()}),
        Figure(name="satisfaction_rate_per_hall", value=h.satisfaction_rate, unit="ratio",
               definition="Share of evaluations (好差评) rated 基本满意 or better (levels 3-5), per hall code "
                          "(none where the hall had no evaluation); reviews voided on an upheld appeal are not counted.",
               breakdown={code: x.satisfaction_rate for code, x in halls.items()}),
    ]
