"""Tenders and their checked status machine.

``draft → published → closed → opening → opened → evaluating → publicised → awarded``, or
``failed`` (fewer than three bidders at the opening, §44; no valid bid, or fewer than the tender's own
floor ``min_valid_bids``; or every bid rejected by the committee, 招标投标法 §42) or
``cancelled`` (before the opening). An auctioned lot (``domain/auction.py``) goes from ``closed``
straight to ``publicised`` when its auction ends. Every transition is checked against this table (409
otherwise) and recorded with its actor and reason.

Decisions where the issue is silent:
- A tender's budget is the sum of its sections' budgets (each section's 最高投标限价); each
  section's bid bond is at most 2% of its budget (§26). A sale's (land use rights, state property)
  section budget is its reserve price (底价), and its deposit follows the sale's own rule, not §26
  (:func:`deposit_bounds`): a land-use deposit 20–50% of the reserve (the local land market's rule;
  settings ``land_deposit_rate_*``), a state-property deposit at most 30% (企业国有产权交易操作规则 §25).
- A project sits on a site of the registry the catalog announces (:func:`project_site`), never on a
  pattern: a district project on its district hall (level ``district``, the county code + ``000``),
  a township project on a township or street (level ``township``). Before the registry, district
  projects named the bare 6-digit county code (GB/T 2260); that stays accepted, and stored as sent,
  when the registry holds the county's hall, so earlier clients and their role grants keep working.
- The tenant of a project is its site's tenant in the registry: ``*`` for a district hall, the
  township's own code for a township; a township key creates and manages only its own township's
  projects.
- A sale's announcement and disclosure periods (land: 20 days to the sale's start and a 10-day
  listing, 国土资源部令第39号 §8, §19; state property: 20 working days to the registration deadline,
  国资委 财政部令第32号 §13) are checked when the draft is made and again at publication
  (``domain/sale_periods.py``).
- Projects move to ``closed`` at the bid deadline by a worker (or on request after the deadline);
  the worker's conditional update makes it safe with several replicas.
- Direct contracts (直接发包) are not tendered: they are filed as projects with method ``direct``
  (``filed``, then ``awarded`` or ``rejected`` by a supervisor); the rules are in ``domain/filings.py``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain import ocds, periods, sale_periods
from bianmin.bidding.domain.common import actor_of
from bianmin.bidding.domain.errors import (
    DeadlineNotReached,
    DeadlinePassed,
    NotInvitedTender,
    ProjectExists,
    ProjectStatusForbids,
)
from bianmin.bidding.models import Auction, Invitation, Project, ProjectTransition, Section
from bianmin.bidding.schemas import ProjectCreate
from bianmin.bidding.settings import BiddingSettings
from bianmin.contracts.events.bidding import ProjectPublished, ProjectStatusChanged, SectionTerms
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events import emit
from bianmin.kit.identity import Principal, ensure_tenant
from bianmin.kit.pagination import PageParams, paginate
from bianmin.kit.site_registry import KnownSite, require_site

BOND_RATE = Decimal("0.02")
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"published", "cancelled"}),
    "published": frozenset({"closed", "cancelled"}),
    "closed": frozenset({"opening", "publicised", "failed", "cancelled"}),
    "opening": frozenset({"opened", "failed"}),
    "opened": frozenset({"evaluating", "failed"}),
    "evaluating": frozenset({"publicised", "failed"}),
    "publicised": frozenset({"awarded", "evaluating", "failed"}),
    "awarded": frozenset(),
    "failed": frozenset(),
    "cancelled": frozenset(),
    "filed": frozenset({"awarded", "rejected"}),
    "rejected": frozenset(),
}
FINISHED = frozenset({"awarded", "failed", "cancelled", "rejected"})


COUNTY_DIGITS = 6
HALL_SUFFIX = "000"


async def project_site(session: AsyncSession, level: str, site_code: str) -> KnownSite:
    """The registry site a project at ``level`` sits on: 422 naming ``site_code`` for an unknown site or another level.

    A bare county code (6 digits, GB/T 2260) stands for that county's district hall (+ ``000``).
    """
    code = site_code
    if level == "district" and len(site_code) == COUNTY_DIGITS and site_code.isdigit():
        code = site_code + HALL_SUFFIX
    return await require_site(session, code, field="site_code", levels=(level,))


async def transition(session: AsyncSession, project: Project, to: str, *, now: datetime, actor: str,
                     reason: str = "") -> None:
    """Move a project to ``to`` when its status allows it, and record the change."""
    if to not in TRANSITIONS[project.status]:
        raise ProjectStatusForbids(f"Project {project.code} is {project.status}; it cannot become {to}.")
    session.add(ProjectTransition(project_id=project.id, from_status=project.status, to_status=to, at=now,
                                  actor=actor, reason=reason))
    project.status = to
    await session.flush()


def deposit_bounds(category: str, budget: Decimal, settings: BiddingSettings) -> tuple[Decimal, Decimal, str]:
    """The lowest and highest bid bond or deposit a section of ``category`` may ask, and the rule that says so."""
    cent = Decimal("0.01")
    if category == "land_use":
        low, high = settings.land_deposit_rate_min, settings.land_deposit_rate_max
        return ((budget * low).quantize(cent), (budget * high).quantize(cent),
                f"a land-use deposit is {low:.0%}–{high:.0%} of the reserve")
    if category == "state_property":
        high = settings.state_property_deposit_rate_max
        return Decimal(0), (budget * high).quantize(cent), f"a state-property deposit is at most {high:.0%} of the reserve"
    return Decimal(0), (budget * BOND_RATE).quantize(cent), "must be at most 2% of the section's budget (§26)"


async def create(session: AsyncSession, body: ProjectCreate, *, now: datetime, by: Principal,
                 settings: BiddingSettings) -> Project:
    """Validate and store a new tender as a draft; its deadline leaves the period the law sets (``domain/periods.py``)."""
    tenant = (await project_site(session, body.level, body.site_code)).tenant
    ensure_tenant(by, tenant)
    codes = [s.code for s in body.sections]
    if len(set(codes)) != len(codes):
        raise Unprocessable.field("sections", "section codes must be unique")
    for i, s in enumerate(body.sections):
        low, high, rule = deposit_bounds(body.category, s.budget, settings)
        if not low <= s.bid_bond_amount <= high:
            raise Unprocessable.field(f"sections.{i}.bid_bond_amount", rule)
    if sum((s.budget for s in body.sections), Decimal(0)) != body.budget:
        raise Unprocessable.field("budget", "must equal the sum of the sections' budgets")
    if body.bid_deadline <= now:
        raise Unprocessable.field("bid_deadline", "must be in the future")
    bound = periods.is_bound(category=body.category, budget=body.budget, stated=body.mandatory_tender,
                             settings=settings)
    periods.check_period(category=body.category, method=body.method, level=body.level, bound=bound,
                         bid_deadline=body.bid_deadline, issued_at=now, settings=settings)
    if body.category == "state_property":
        await sale_periods.check_disclosure(session, bid_deadline=body.bid_deadline, published_at=now,
                                            settings=settings)
    if body.opening_at < body.bid_deadline:
        raise Unprocessable.field("opening_at", "must not be before the bid deadline")
    if body.publicity_days < 3:
        raise Unprocessable.field("publicity_days", "winning candidates are publicised for at least 3 days (§54)")
    if body.evaluation_method == "lowest_price" and (body.price_weight, body.technical_weight) != (100, 0):
        raise Unprocessable.field("price_weight", "lowest-price evaluation weighs price 100 and technical 0")
    if body.evaluation_method == "comprehensive" and (body.price_weight + body.technical_weight != 100
                                                       or body.technical_weight == 0):
        raise Unprocessable.field("technical_weight", "comprehensive weights must be positive and sum to 100")
    if body.method == "invited" and len(set(body.invited_credit_codes)) < 3:
        raise Unprocessable.field("invited_credit_codes", "an invited tender invites at least 3 enterprises")
    if body.method == "open" and body.invited_credit_codes:
        raise Unprocessable.field("invited_credit_codes", "only invited tenders have invitations")
    if body.category in ("land_use", "state_property") and body.evaluation_method == "comprehensive":
        raise Unprocessable.field("evaluation_method", "land and state property are sold by price")
    if (await session.execute(select(Project.id).where(Project.code == body.code))).first():
        raise ProjectExists(f"Project {body.code} exists.")
    project = Project(
        code=body.code, name=body.name, category=body.category, level=body.level, site_code=body.site_code,
        tenant=tenant, method=body.method, subject_code=body.subject_code, tenderer_name=body.tenderer_name,
        tenderer_credit_code=body.tenderer_credit_code, budget=body.budget, bid_deadline=body.bid_deadline,
        opening_at=body.opening_at, decryption_minutes=body.decryption_minutes,
        confirmation_minutes=body.confirmation_minutes, evaluation_method=body.evaluation_method,
        price_weight=body.price_weight, technical_weight=body.technical_weight, publicity_days=body.publicity_days,
        min_valid_bids=body.min_valid_bids, mandatory_tender=bound, status="draft", created_at=now,
        created_by=actor_of(by),
        sections=[Section(code=s.code, name=s.name, budget=s.budget, bid_bond_amount=s.bid_bond_amount,
                          outcome="pending") for s in body.sections],
    )
    session.add(project)
    await session.flush()
    for credit_code in sorted(set(body.invited_credit_codes)):
        session.add(Invitation(project_id=project.id, credit_code=credit_code, invited_at=now))
    session.add(ProjectTransition(project_id=project.id, from_status=None, to_status="draft", at=now,
                                  actor=actor_of(by), reason="created"))
    await session.flush()
    return project


async def invite(session: AsyncSession, project: Project, credit_codes: list[str], *, now: datetime) -> int:
    """Add invitations to an invited tender before its deadline; the number newly invited."""
    if project.method != "invited":
        raise NotInvitedTender("Only invited tenders take invitations.")
    if project.status not in ("draft", "published") or now >= project.bid_deadline:
        raise DeadlinePassed("Invitations close at the bid deadline.")
    known = set((await session.execute(select(Invitation.credit_code)
                                       .where(Invitation.project_id == project.id))).scalars())
    added = sorted(set(credit_codes) - known)
    for code in added:
        session.add(Invitation(project_id=project.id, credit_code=code, invited_at=now))
    await session.flush()
    return len(added)


async def publish(session: AsyncSession, project: Project, *, now: datetime, actor: str,
                  settings: BiddingSettings) -> None:
    """Publish a draft: bidders may register and bid until the deadline; guarantee learns the deposits.

    Publication issues the documents (a sale's announcement), so the period of 招标投标法 §24, and a
    sale's announcement or disclosure period (``domain/sale_periods.py``), are checked again from now.
    """
    if project.method == "direct":
        raise ProjectStatusForbids("A direct contract is filed, not published.")
    if project.status == "draft" and project.bid_deadline <= now:
        raise DeadlinePassed("The bid deadline has passed; set a new one on a new draft.")
    if project.status == "draft":
        periods.check_period(category=project.category, method=project.method, level=project.level,
                             bound=project.mandatory_tender, bid_deadline=project.bid_deadline, issued_at=now,
                             settings=settings)
        await _check_sale_period(session, project, now=now, settings=settings)
    await transition(session, project, "published", now=now, actor=actor)
    await ocds.record(session, project, tag=["tender"], at=now)
    await emit(session, "bidding.project.published", ProjectPublished(
        code=project.code, name=project.name, site_code=project.site_code, category=project.category,
        tenderer_name=project.tenderer_name, tenderer_credit_code=project.tenderer_credit_code, budget=project.budget,
        bid_deadline=project.bid_deadline, opening_at=project.opening_at,
        sections=[SectionTerms(code=s.code, name=s.name, bid_bond_amount=s.bid_bond_amount) for s in project.sections],
    ), tenant=project.tenant, about=project.code)


async def _check_sale_period(session: AsyncSession, project: Project, *, now: datetime,
                             settings: BiddingSettings) -> None:
    """A sale published now: its auction (or, sold by tender, its deadline) 20 days after the announcement for
    land (国土资源部令第39号 §8), its registration deadline 20 working days after it for state property (§13)."""
    if project.category == "land_use":
        auction = (await session.execute(select(Auction).where(Auction.project_id == project.id))).scalar_one_or_none()
        if auction is not None:
            sale_periods.check_land_start(starts_at=auction.starts_at, announced_at=now, settings=settings)
        else:
            sale_periods.check_land_start(starts_at=project.bid_deadline, announced_at=now, settings=settings,
                                          field="bid_deadline")
    elif project.category == "state_property":
        await sale_periods.check_disclosure(session, bid_deadline=project.bid_deadline, published_at=now,
                                            settings=settings)


async def close(session: AsyncSession, project: Project, *, now: datetime, actor: str) -> None:
    """Close bidding at the deadline; the commitment lists become public."""
    if project.status == "published" and now < project.bid_deadline:
        raise DeadlineNotReached("The bid deadline has not passed yet.")
    await transition(session, project, "closed", now=now, actor=actor, reason="bid deadline passed")
    await ocds.record(session, project, tag=["tenderUpdate"], at=now)  # the first that may name the tenderers
    await emit(session, "bidding.project.closed", ProjectStatusChanged(
        code=project.code, site_code=project.site_code, status="closed", occurred_at=now),
        tenant=project.tenant, about=project.code)


async def fail(session: AsyncSession, project: Project, *, now: datetime, actor: str, reason: str) -> None:
    """Declare a tender failed and tell the other services."""
    await transition(session, project, "failed", now=now, actor=actor, reason=reason)
    for section in project.sections:
        if section.outcome == "pending":
            section.outcome, section.failure_reason = "failed", reason
    await ocds.record(session, project, tag=["tenderUpdate"], at=now)
    await emit(session, "bidding.project.failed", ProjectStatusChanged(
        code=project.code, site_code=project.site_code, status="failed", reason=reason, occurred_at=now,
        failed_section_codes=[s.code for s in project.sections]), tenant=project.tenant, about=project.code)


async def cancel(session: AsyncSession, project: Project, *, now: datetime, actor: str, reason: str) -> None:
    """Cancel a tender before its opening, giving the reason, and tell the other services (its bid bonds end)."""
    published = project.status != "draft"
    await transition(session, project, "cancelled", now=now, actor=actor, reason=reason)
    if published:
        await ocds.record(session, project, tag=["tenderCancellation"], at=now)
    await emit(session, "bidding.project.cancelled", ProjectStatusChanged(
        code=project.code, site_code=project.site_code, status="cancelled", reason=reason, occurred_at=now),
        tenant=project.tenant, about=project.code)


async def close_due(session: AsyncSession, *, now: datetime) -> list[str]:
    """Close every published project whose deadline has passed; the codes closed."""
    due = (await session.execute(select(Project).where(Project.status == "published", Project.bid_deadline <= now)
                                 .order_by(Project.id).limit(100).with_for_update(skip_locked=True))).scalars().all()
    for project in due:
        await close(session, project, now=now, actor="system")
    return [p.code for p in due]


async def list_page(session: AsyncSession, page: PageParams, *, who: Principal, status: str | None = None,
                    category: str | None = None, level: str | None = None,
                    site_code: str | None = None, method: str | None = None) -> tuple[list[Project], str | None]:
    """One page of tenders and filings, newest first: published ones for everyone, drafts for their own site.

    ``method`` (open, invited, direct) lets supervisors review each procurement method on its own.
    """
    statement = select(Project)
    if not who.district_wide:
        statement = statement.where(or_(Project.status != "draft", Project.tenant == (who.tenant or "-")))
    for column, value in ((Project.status, status), (Project.category, category), (Project.level, level),
                          (Project.site_code, site_code), (Project.method, method)):
        if value is not None:
            statement = statement.where(column == value)
    return await paginate(session, statement, page, keys=[Project.id], descending=True)


async def transitions_of(session: AsyncSession, project: Project) -> list[ProjectTransition]:
    """Every recorded status change of a project, oldest first."""
    return list((await session.execute(select(ProjectTransition).where(ProjectTransition.project_id == project.id)
                                       .order_by(ProjectTransition.id))).scalars())
