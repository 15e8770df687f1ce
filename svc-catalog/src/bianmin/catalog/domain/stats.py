"""Figures of the catalog: applications, satisfaction and policy redemption.

Definitions (the README quotes them):
- received: applications submitted in the period (Asia/Shanghai dates, both ends included);
- online receipt rate (一网通办收件率): applications received through the online channel (the web
  portal and mobile app, channel ``online``) ÷ all applications received, per site, department and
  period as filtered; kiosks, bank terminals and staff-assisted channels count as offline because
  the applicant or a clerk is physically present at a service point;
- completed: applications received in the period that are completed now;
- overdue: applications received in the period that are open past their promised date, or were
  completed or rejected later than promised;
- average handling days: the mean of working days from submission to completion, over completed ones;
- satisfaction rate: ratings of level 3–5 ÷ all ratings not voided on appeal, of the applications
  received in the period;
- policy completion rate: paid redemptions ÷ expected amounts of the policies whose period
  overlaps the period;
- by channel: for each channel (every one the contracts name, 0 included), the applications received
  through it and its share of all received (the online channel's share is the online receipt rate);
- by outlet (政银合作): for each bank outlet that received any, the applications received at the
  outlet itself or through a terminal standing directly under it (its self-service terminals, bank
  counters and PADs), their share of all received, and their count per channel.

Whose figures (issue 19): a key bound to a township counts its own sites' applications only, and a
person the sites where they hold a role that reads figures (the cockpit's: cockpit_viewer,
hall_manager, supervisor; the catalog's own figures route: any role of the site's staff) — a
township's cockpit never shows another township's hall. Policies are the district's, not a site's,
and items are public, so their figures are the same for every caller.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, get_args

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.applications import OPEN
from bianmin.catalog.domain.people import COCKPIT_ROLES, SITE_STAFF, staff_area
from bianmin.catalog.models import Application, Evaluation, Item, Policy, Redemption, Site
from bianmin.contracts.events.catalog import Channel
from bianmin.kit import subjects
from bianmin.kit.calendar import load_calendar
from bianmin.kit.identity import Principal
from bianmin.kit.stats import Figure, StatsContext
from bianmin.kit.workdays import local_date

ONLINE_CHANNELS = ("online",)
CHANNELS: tuple[str, ...] = get_args(Channel)
FOUR = Decimal("0.0001")


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole to four places, None when whole is zero."""
    return None if not whole else (Decimal(part) / Decimal(whole)).quantize(FOUR, ROUND_HALF_UP)


def area_of(who: Principal, roles: tuple[str, ...]) -> list[ColumnElement[bool]]:
    """SQL conditions keeping the applications whose figures this caller sees (see the module docstring)."""
    conditions: list[ColumnElement[bool]] = []
    if not who.district_wide:
        conditions.append(Application.tenant == who.tenant)
    if who.subject is not None and not who.is_a(subjects.OPERATOR):
        conditions.append(staff_area(who, Application.site_code, Application.department_code, roles))
    return conditions


async def application_figures(session: AsyncSession, *, who: Principal, start: date | None, end: date | None,
                              site: str | None = None, department: str | None = None, today: date,
                              roles: tuple[str, ...] = SITE_STAFF) -> dict[str, Any]:
    """received, online_received, online_receipt_rate, completed, overdue, average_handling_days, satisfaction,
    by_channel and by_outlet."""
    conditions = area_of(who, roles)
    if start is not None:
        conditions.append(Application.submitted_on >= start)
    if end is not None:
        conditions.append(Application.submitted_on <= end)
    if site is not None:
        conditions.append(Application.site_code == site)
    if department is not None:
        conditions.append(Application.department_code == department)
    overdue = or_(and_(Application.status.in_(OPEN), Application.promised_date < today),
                  and_(Application.status.in_(("completed", "rejected")), Application.finished_on > Application.promised_date))
    counts = (await session.execute(select(
        func.count(Application.id),
        func.coalesce(func.sum(case((Application.channel.in_(ONLINE_CHANNELS), 1), else_=0)), 0),
        func.coalesce(func.sum(case((Application.status == "completed", 1), else_=0)), 0),
        func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
    ).where(*conditions))).one()
    received, online, completed, late = (int(v) for v in counts)
    calendar = await load_calendar(session)
    spans = (await session.execute(select(Application.submitted_on, Application.finished_on).where(
        *conditions, Application.status == "completed", Application.finished_on.is_not(None)))).all()
    handling = [calendar.workdays_between(submitted, finished) for submitted, finished in spans]
    rated = (await session.execute(select(
        func.count(Evaluation.id), func.coalesce(func.sum(case((Evaluation.level >= 3, 1), else_=0)), 0))
        .join(Application, Application.id == Evaluation.application_id)
        .where(*conditions, or_(Evaluation.case_status.is_(None), Evaluation.case_status != "voided")))).one()
    return {
        "received": received, "online_received": online, "online_receipt_rate": ratio(online, received),
        "completed": completed, "overdue": late,
        "average_handling_days": (Decimal(sum(handling)) / len(handling)).quantize(Decimal("0.01"))
        if handling else None,
        "satisfaction_rate": ratio(int(rated[1]), int(rated[0])), "evaluations": int(rated[0]),
        **await channel_and_outlet_figures(session, conditions, received),
    }


async def outlets_of(session: AsyncSession) -> dict[str, str]:
    """The bank outlet each outlet and each terminal standing directly under one counts for."""
    rows = (await session.execute(select(Site.code, Site.level, Site.parent_code).where(
        Site.level.in_(("bank", "terminal"))))).all()
    outlets = {code for code, level, _ in rows if level == "bank"}
    return {code: code if level == "bank" else parent for code, level, parent in rows
            if level == "bank" or parent in outlets}


async def channel_and_outlet_figures(session: AsyncSession, conditions: list[ColumnElement[bool]],
                                     received: int) -> dict[str, dict[str, Any]]:
    """by_channel and by_outlet of the applications the conditions keep (definitions in the module docstring)."""
    rows = (await session.execute(select(Application.site_code, Application.terminal_code, Application.channel,
                                         func.count(Application.id)).where(*conditions).group_by(
        Application.site_code, Application.terminal_code, Application.channel))).all()
    channels = dict.fromkeys(CHANNELS, 0)
    outlets: dict[str, dict[str, int]] = {}
    outlet_of = await outlets_of(session) if rows else {}
    for site, terminal, channel, count in rows:
        channels[channel] = channels.get(channel, 0) + int(count)
        outlet = outlet_of.get(terminal or "") or outlet_of.get(site)
        if outlet is not None:
            per_channel = outlets.setdefault(outlet, {})
            per_channel[channel] = per_channel.get(channel, 0) + int(count)
    return {
        "by_channel": {c: {"received": n, "share": ratio(n, received)} for c, n in channels.items()},
        "by_outlet": {code: {"received": sum(counts.values()), "share": ratio(sum(counts.values()), received),
                             "by_channel": dict(sorted(counts.items()))} for code, counts in sorted(outlets.items())},
    }


async def policy_figures(session: AsyncSession, *, start: date | None, end: date | None) -> dict[str, object]:
    """expected, redeemed, completion_rate, with a per-policy completion rate."""
    query = select(Policy)
    if start is not None:
        query = query.where(Policy.period_end >= start)
    if end is not None:
        query = query.where(Policy.period_start <= end)
    policies = list((await session.execute(query)).scalars())
    paid: dict[str, Decimal] = {}
    redemptions = list((await session.execute(select(Redemption).where(
        Redemption.policy_code.in_([p.code for p in policies])))).scalars())
    for r in redemptions:
        if r.status == "paid":
            paid[r.policy_code] = paid.get(r.policy_code, Decimal("0")) + r.amount
    expected = sum((p.expected_amount for p in policies), Decimal("0"))
    redeemed = sum(paid.values(), Decimal("0"))
    return {"expected": expected, "redeemed": redeemed, "completion_rate": ratio(redeemed, expected),
            "policies": len(policies), "redemptions": len(redemptions),
            "by_policy": {p.code: ratio(paid.get(p.code, Decimal("0")), p.expected_amount) for p in policies}}


async def online_rate_by_department(session: AsyncSession, *, who: Principal, start: date | None,
                                    end: date | None) -> dict[str, Decimal | int | None]:
    """The online receipt rate of each department over a period, of the sites this caller's cockpit covers."""
    query = select(Application.department_code, func.count(Application.id),
                   func.coalesce(func.sum(case((Application.channel.in_(ONLINE_CHANNELS), 1), else_=0)), 0)
                   ).where(*area_of(who, COCKPIT_ROLES))
    if start is not None:
        query = query.where(Application.submitted_on >= start)
    if end is not None:
        query = query.where(Application.submitted_on <= end)
    rows = (await session.execute(query.group_by(Application.department_code))).all()
    return {code: ratio(int(online), int(total)) for code, total, online in sorted(rows)}


async def overview(ctx: StatsContext) -> list[Figure]:
    """The catalog's figures for the cockpit, of the sites the caller covers (a township: its own)."""
    session, period = ctx.session, ctx.period
    today = local_date(ctx.clock.now())
    apps = await application_figures(session, who=ctx.principal, start=period.start, end=period.end, today=today,
                                     roles=COCKPIT_ROLES)
    policies = await policy_figures(session, start=period.start, end=period.end)
    published = (await session.execute(select(func.count(Item.id)).where(Item.status == "published"))).scalar_one()
    by_department = await online_rate_by_department(session, who=ctx.principal, start=period.start, end=period.end)
    return [
        Figure(name="items_published", value=published, unit="items", definition="Service items published now."),
        Figure(name="applications_received", value=apps["received"], unit="applications",
               definition="Applications submitted in the period, broken down by the channel they came through.",
               breakdown={c: f["received"] for c, f in apps["by_channel"].items()}),
        Figure(name="bank_outlet_applications", value=sum(f["received"] for f in apps["by_outlet"].values()),
               unit="applications", definition="政银合作: applications received in the period at bank outlets or through "
               "their terminals, broken down by outlet.",
               breakdown={o: f["received"] for o, f in apps["by_outlet"].items()}),
        Figure(name="online_receipt_rate", value=apps["online_receipt_rate"], unit="ratio",
               definition="一网通办收件率: applications received through the online channel ÷ all applications received.",
               breakdown=by_department),
        Figure(name="applications_completed", value=apps["completed"], unit="applications",
               definition="Applications received in the period and completed."),
        Figure(name="applications_overdue", value=apps["overdue"], unit="applications",
               definition="Applications received in the period that are open past, or finished after, their promised date."),
        Figure(name="average_handling_days", value=apps["average_handling_days"], unit="working days",
               definition="Mean working days from submission to completion of completed applications."),
        Figure(name="satisfaction_rate", value=apps["satisfaction_rate"], unit="ratio",
               definition="好评率: ratings 基本满意 or better ÷ all ratings not voided on appeal."),
        Figure(name="policy_completion_rate", value=policies["completion_rate"], unit="ratio",  # type: ignore[arg-type]
               definition="政策兑现完成率: paid redemptions ÷ expected amounts of policies in the period."),
    ]
