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
  overlaps the period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.applications import is_overdue
from bianmin.catalog.models import Application, Evaluation, Item, Policy, Redemption
from bianmin.kit.calendar import load_calendar
from bianmin.kit.identity import Principal
from bianmin.kit.stats import Figure, Period
from bianmin.kit.workdays import local_date

ONLINE_CHANNELS = ("online",)
FOUR = Decimal("0.0001")


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole to four places, None when whole is zero."""
    return None if not whole else (Decimal(part) / Decimal(whole)).quantize(FOUR, ROUND_HALF_UP)


async def application_figures(session: AsyncSession, *, who: Principal | None, start: date | None, end: date | None,
                              site: str | None = None, department: str | None = None,
                              today: date) -> dict[str, Decimal | int | None]:
    """received, online_received, online_receipt_rate, completed, overdue, average_handling_days, satisfaction."""
    query = select(Application)
    if who is not None and not who.district_wide:
        query = query.where(Application.tenant == who.tenant)
    if start is not None:
        query = query.where(Application.submitted_on >= start)
    if end is not None:
        query = query.where(Application.submitted_on <= end)
    if site is not None:
        query = query.where(Application.site_code == site)
    if department is not None:
        query = query.where(Application.department_code == department)
    rows = list((await session.execute(query)).scalars())
    calendar = await load_calendar(session)
    online = sum(1 for a in rows if a.channel in ONLINE_CHANNELS)
    completed = [a for a in rows if a.status == "completed" and a.finished_at is not None]
    handling = [calendar.workdays_between(a.submitted_on, local_date(a.finished_at)) for a in completed]  # type: ignore[arg-type]
    ids = [a.id for a in rows]
    levels: list[int] = []
    for chunk in range(0, len(ids), 500):
        levels += list((await session.execute(select(Evaluation.level).where(
            Evaluation.application_id.in_(ids[chunk:chunk + 500]),
            (Evaluation.case_status.is_(None)) | (Evaluation.case_status != "voided")))).scalars())
    return {
        "received": len(rows), "online_received": online, "online_receipt_rate": ratio(online, len(rows)),
        "completed": len(completed), "overdue": sum(1 for a in rows if is_overdue(a, today)),
        "average_handling_days": (Decimal(sum(handling)) / len(handling)).quantize(Decimal("0.01"))
        if handling else None,
        "satisfaction_rate": ratio(sum(1 for level in levels if level >= 3), len(levels)), "evaluations": len(levels),
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


async def overview(session: AsyncSession, period: Period) -> list[Figure]:
    """The catalog's figures for the cockpit."""
    today = local_date(datetime.now(UTC))
    apps = await application_figures(session, who=None, start=period.start, end=period.end, today=today)
    policies = await policy_figures(session, start=period.start, end=period.end)
    published = (await session.execute(select(func.count(Item.id)).where(Item.status == "published"))).scalar_one()
    return [
        Figure(name="items_published", value=published, unit="items", definition="Service items published now."),
        Figure(name="applications_received", value=apps["received"], unit="applications",
               definition="Applications submitted in the period."),
        Figure(name="online_receipt_rate", value=apps["online_receipt_rate"], unit="ratio",
               definition="一网通办收件率: applications received through the online channel ÷ all applications received."),
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
