"""Where a question goes: by its service item, by the asker's choice, by keyword rules, or to triage.

Order of precedence, so that the most authoritative fact wins:
1. the item: a published item in the read model kept from ``catalog.item.*`` names its department;
2. the department the asker chose, when it is a known, active department;
3. the operators' keyword rules: every active rule whose keyword occurs in the title or body
   (case-insensitive) matches; the highest priority wins, then the longest keyword, then the oldest;
4. otherwise the triage queue (no department), which district administrators work.
The topic recorded for statistics is the item's name, else the best-matching keyword, else empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.consult.domain.errors import UnknownDepartment
from bianmin.consult.models import Department, ItemRoute, RoutingRule
from bianmin.kit.errors import NotFound, Unprocessable


@dataclass(frozen=True)
class Route:
    """The outcome of routing: a department (or None for triage), how it was found, the topic."""

    department_code: str | None
    routed_by: str
    topic: str


def best_rule(rules: list[RoutingRule], text: str) -> RoutingRule | None:
    """The active rule that matches ``text`` best, or None."""
    folded = text.casefold()
    matches = [r for r in rules if r.active and r.keyword.casefold() in folded]
    if not matches:
        return None
    return max(matches, key=lambda r: (r.priority, len(r.keyword), -r.id))


async def active_department(session: AsyncSession, code: str, *, field: str) -> Department:
    """A known, active department; 422 naming ``field`` otherwise."""
    department = await session.get(Department, code)
    if department is None or not department.active:
        raise UnknownDepartment(field, code)
    return department


async def route(session: AsyncSession, *, item_code: str | None, department_code: str | None,
                title: str, body: str) -> Route:
    """Decide where a new question goes."""
    rules = list((await session.execute(select(RoutingRule).where(RoutingRule.active.is_(True)))).scalars())
    rule = best_rule(rules, f"{title}\n{body}")
    topic = rule.keyword if rule else ""
    if item_code is not None:
        item = await session.get(ItemRoute, item_code)
        if item is not None and item.status == "published":
            return Route(item.department_code, "item", item.name[:100])
    if department_code is not None:
        await active_department(session, department_code, field="department_code")
        return Route(department_code, "asker", topic)
    if rule is not None:
        return Route(rule.department_code, "rule", topic)
    return Route(None, "triage", topic)


async def upsert_item(session: AsyncSession, *, code: str, name: str, department_code: str, status: str,
                      revision: int, now: datetime) -> None:
    """Apply a catalog item change to the read model; an older revision than the one kept is ignored."""
    item = await session.get(ItemRoute, code)
    if item is None:
        session.add(ItemRoute(code=code, name=name, department_code=department_code, status=status,
                              revision=revision, updated_at=now))
    elif revision >= item.revision:
        item.name, item.department_code, item.status = name, department_code, status
        item.revision, item.updated_at = revision, now
    await session.flush()


async def list_rules(session: AsyncSession) -> list[RoutingRule]:
    """Every routing rule, strongest first."""
    query = select(RoutingRule).order_by(RoutingRule.priority.desc(), RoutingRule.id)
    return list((await session.execute(query)).scalars())


async def get_rule(session: AsyncSession, rule_id: int) -> RoutingRule:
    """One routing rule, or 404."""
    rule = await session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound(f"No routing rule {rule_id}.")
    return rule


async def create_rule(session: AsyncSession, *, keyword: str, department_code: str, priority: int,
                      active: bool, now: datetime) -> RoutingRule:
    """Add a keyword rule for a known department."""
    await active_department(session, department_code, field="department_code")
    rule = RoutingRule(keyword=keyword, department_code=department_code, priority=priority, active=active,
                       created_at=now, updated_at=now)
    session.add(rule)
    await session.flush()
    return rule


async def update_rule(session: AsyncSession, rule: RoutingRule, *, changes: dict[str, object],
                      now: datetime) -> RoutingRule:
    """Change a rule's keyword, department, priority or activity."""
    if "department_code" in changes:
        await active_department(session, str(changes["department_code"]), field="department_code")
    for name, value in changes.items():
        setattr(rule, name, value)
    rule.updated_at = now
    await session.flush()
    return rule


async def delete_rule(session: AsyncSession, rule: RoutingRule) -> None:
    """Remove a rule; questions already routed keep their department."""
    await session.delete(rule)
    await session.flush()


async def put_department(session: AsyncSession, *, code: str, name: str, supervisor_code: str | None,
                         active: bool, now: datetime) -> Department:
    """Create or replace a department."""
    if supervisor_code == code:
        raise Unprocessable.field("supervisor_code", "a department cannot supervise itself")
    department = await session.get(Department, code)
    if department is None:
        department = Department(code=code, name=name, supervisor_code=supervisor_code, active=active,
                                updated_at=now)
        session.add(department)
    else:
        department.name, department.supervisor_code = name, supervisor_code
        department.active, department.updated_at = active, now
    await session.flush()
    return department


async def list_departments(session: AsyncSession) -> list[Department]:
    """Every department, by code."""
    return list((await session.execute(select(Department).order_by(Department.code))).scalars())
