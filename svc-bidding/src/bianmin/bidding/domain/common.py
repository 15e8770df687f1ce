"""Look-ups and helpers every bidding rule uses, the projects a principal may see or manage among them.

Visibility: a draft is seen by its own site only (404 for everyone else, so a draft's code leaks
nothing); every other project is public. Managing a project (publishing, opening, evaluating, ...)
takes the project's own site, or a district-wide key.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.bidding.domain.errors import ProjectNotFound, SectionNotFound
from bianmin.bidding.models import OpeningRecord, Project, Section
from bianmin.bidding.settings import BiddingSettings
from bianmin.kit.identity import Principal, ensure_tenant


def new_id() -> str:
    """A fresh opaque identifier (32 hex characters)."""
    return uuid.uuid4().hex


def minutes(count: int, settings: BiddingSettings) -> timedelta:
    """``count`` minutes of an opening window, each ``settings.minute_seconds`` long."""
    return timedelta(seconds=count * settings.minute_seconds)


def days(count: int, settings: BiddingSettings) -> timedelta:
    """``count`` days of a publicity period, each ``settings.day_seconds`` long."""
    return timedelta(seconds=count * settings.day_seconds)


def bidders_secret(project: Project, now: datetime) -> bool:
    """Whether who registered or bid, and how many, must stay undisclosed: until the bid deadline.

    招标投标法 §22 forbids disclosing the names and number of the potential bidders that obtained the
    documents, and 《电子招标投标办法》 keeps bids secret until the opening; OCDS, figures and deposit
    lists follow this one rule.
    """
    return now < project.bid_deadline


def actor_of(principal: Principal) -> str:
    """How a principal is named in records."""
    return principal.key_id or "anonymous"


def acting_id(principal: Principal) -> str:
    """Who acts, for separation of duties: the signed-in account (``<kind>:<id>``), else the key acting alone.

    An account acting through the platform's pages shares the pages' key with every colleague, so the
    key id would make everyone one person; the account id is what tells two people apart.
    """
    if principal.subject is not None:
        return f"{principal.subject.kind}:{principal.subject.id}"
    return f"key:{principal.key_id}"


async def get_project(session: AsyncSession, code: str, *, lock: bool = False) -> Project:
    """The project with ``code``; 404 when there is none."""
    statement = select(Project).where(Project.code == code)
    if lock:
        statement = statement.with_for_update()
    project = (await session.execute(statement)).scalar_one_or_none()
    if project is None:
        raise ProjectNotFound(f"No project {code}.")
    return project


def visible(project: Project, who: Principal) -> bool:
    """Drafts are seen by their own site only; everything else is public."""
    return project.status != "draft" or who.may_act_on(project.tenant)


async def get_visible(session: AsyncSession, code: str, who: Principal) -> Project:
    """A project the principal may see; 404 for another site's draft."""
    project = await get_project(session, code)
    if not visible(project, who):
        raise ProjectNotFound(f"No project {code}.")
    return project


async def get_managed(session: AsyncSession, code: str, who: Principal) -> Project:
    """A project the principal's site manages (403 for another site's)."""
    project = await get_visible(session, code, who)
    ensure_tenant(who, project.tenant)
    return project


def scoped(statement: Select[Any], column: Any, who: Principal) -> Select[Any]:
    """``statement`` limited to the principal's own site through ``column``, unless the key is district-wide."""
    return statement if who.district_wide else statement.where(column == (who.tenant or "-"))


def section_of(project: Project, code: str) -> Section:
    """The section ``code`` of a project; 404 when it has none."""
    for section in project.sections:
        if section.code == code:
            return section
    raise SectionNotFound(f"Project {project.code} has no section {code}.")


async def record(session: AsyncSession, project: Project, kind: str, data: dict[str, object], *, now: datetime) -> None:
    """Append a numbered entry to the project's live opening record."""
    last = (await session.execute(select(OpeningRecord.seq).where(OpeningRecord.project_id == project.id)
                                  .order_by(OpeningRecord.seq.desc()).limit(1))).scalar_one_or_none()
    session.add(OpeningRecord(project_id=project.id, seq=(last or 0) + 1, kind=kind, data=data, at=now))
    await session.flush()
