"""Trading figures: projects, budget and award totals, savings and the high-savings risk signal.

Savings count procurement only (works and goods/services, the categories the state pays for):
savings = budget − award amount over the awarded sections; savings rate = savings ÷ the budget
of those sections. A sale (land use rights, state property) brings money in, so a price above its
reserve is no "negative saving": sales report their premium rate (溢价率) instead, (price −
reserve) ÷ reserve over the sold lots, a section's budget being its reserve. A procurement award at
least ``savings_risk_rate`` (30%) below its section's budget is counted as a risk signal (possibly
an inflated budget), not only a success. A project belongs to the period of its creation day in
Asia/Shanghai; direct contracts count as projects (rejected filings not), and as awards once a
supervisor approved them.

The archive's figures (电子档案) count projects archived (their version 1 signed in the period), the
signed versions (first and later), archives past their retention period today, and borrowings (借阅)
asked in the period by their state with the reads made under them.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain import archiving, borrowing
from bianmin.bidding.models import Project
from bianmin.bidding.schemas import StatsRead
from bianmin.kit.stats import Figure, Period, StatsContext
from bianmin.kit.workdays import SHANGHAI

ZERO = Decimal(0)
SALES = frozenset({"land_use", "state_property"})


def bounds(period: Period) -> tuple[datetime | None, datetime | None]:
    """The first instant of a period and the first instant after it, in Asia/Shanghai days."""
    since = datetime.combine(period.start, time(), tzinfo=SHANGHAI) if period.start else None
    until = datetime.combine(period.end + timedelta(days=1), time(), tzinfo=SHANGHAI) if period.end else None
    return since, until


async def compute(session: AsyncSession, period: Period, *, category: str | None = None, level: str | None = None,
                  risk_rate: Decimal = Decimal("0.30")) -> StatsRead:
    """The trading figures of a period, optionally for one category and level."""
    statement = select(Project).where(Project.status.not_in(("cancelled", "rejected")))
    since, until = bounds(period)
    if since:
        statement = statement.where(Project.created_at >= since)
    if until:
        statement = statement.where(Project.created_at < until)
    if category:
        statement = statement.where(Project.category == category)
    if level:
        statement = statement.where(Project.level == level)
    rows = (await session.execute(statement)).scalars().all()
    budget_total = award_total = awarded_budget = reserve_total = price_total = ZERO
    awarded = flagged = 0
    by_category: dict[str, int] = {}
    for project in rows:
        by_category[project.category] = by_category.get(project.category, 0) + 1
        sale = project.category in SALES
        if not sale:
            budget_total += project.budget
        if project.status != "awarded":
            continue
        awarded += 1
        for section in project.sections:
            if section.outcome != "awarded" or section.award_amount is None:
                continue
            if sale:
                reserve_total += section.budget
                price_total += section.award_amount
            else:
                award_total += section.award_amount
                awarded_budget += section.budget
                if section.award_amount <= section.budget * (1 - risk_rate):
                    flagged += 1
    savings = awarded_budget - award_total
    rate = (savings / awarded_budget).quantize(Decimal("0.0001")) if awarded_budget else None
    premium = ((price_total - reserve_total) / reserve_total).quantize(Decimal("0.0001")) if reserve_total else None
    return StatsRead(projects=len(rows), awarded_projects=awarded, budget_total=budget_total, award_total=award_total,
                     savings=max(savings, ZERO), savings_rate=rate, high_savings_flagged=flagged,
                     by_category=by_category, sales_reserve_total=reserve_total, sales_price_total=price_total,
                     premium_rate=premium)


async def figures(ctx: StatsContext) -> list[Figure]:
    """The cockpit's figures of the trading centre."""
    session, period = ctx.session, ctx.period
    s = await compute(session, period)
    return [
        Figure(name="projects", value=s.projects, unit="projects",
               definition="Tenders and direct contracts created in the period, cancelled ones excluded.",
               breakdown={k: v for k, v in s.by_category.items()}),
        Figure(name="budget_total", value=s.budget_total, unit="CNY",
               definition="Sum of the budgets of those projects that procure (works, goods and services)."),
        Figure(name="award_total", value=s.award_total, unit="CNY",
               definition="Sum of award amounts of the awarded procurement sections of those projects."),
        Figure(name="savings", value=s.savings, unit="CNY",
               definition="Budget of the awarded procurement sections minus their award amounts (sales excluded)."),
        Figure(name="savings_rate", value=s.savings_rate, unit="ratio",
               definition="Savings divided by the budget of the awarded sections."),
        Figure(name="premium_rate", value=s.premium_rate, unit="ratio",
               definition="Land and state-property sales: price above the reserve, divided by the reserve, "
                          "over the lots sold."),
        Figure(name="high_savings_flagged", value=s.high_savings_flagged, unit="sections",
               definition="Awarded sections at least 30% below budget: a risk signal of an inflated budget."),
        *await archive_figures(ctx),
    ]


async def archive_figures(ctx: StatsContext) -> list[Figure]:
    """The archive's figures: projects archived, signed versions, archives past retention, borrowings."""
    since, until = bounds(ctx.period)
    archived = await archiving.counts(ctx.session, since=since, until=until,
                                      today=ctx.clock.now().astimezone(SHANGHAI).date())
    borrowed = await borrowing.counts(ctx.session, since=since, until=until)
    return [
        Figure(name="archived_projects", value=archived["archived"], unit="projects",
               definition="Finished projects whose archive (version 1) was signed and logged in the period."),
        Figure(name="archive_versions", value=archived["versions"], unit="versions",
               definition="Signed archive versions appended to the archive log in the period: first versions and "
                          "later ones (a contract, a complaint, a released bond after archiving).",
               breakdown={"first": archived["archived"], "later": archived["later_versions"]}),
        Figure(name="archives_past_retention", value=archived["past_retention"], unit="projects",
               definition="Archives whose retention period (档案保管期限) has ended today: due for appraisal, never "
                          "deleted by the platform."),
        Figure(name="archive_borrowings", value=sum(borrowed[k] for k in ("requested", "approved", "refused")),
               unit="borrowings", definition="Requests to borrow (借阅) an archive made in the period, by their state.",
               breakdown={k: borrowed[k] for k in ("requested", "approved", "refused")}),
        Figure(name="archive_borrowed_reads", value=borrowed["reads"], unit="reads",
               definition="Reads of an archive under an approved borrowing in the period."),
    ]
