"""Service items: every change is a new revision, status moves by rule, events go through the outbox.

Status flow: draft → published; published ⇄ suspended; draft, published or suspended → withdrawn
(final). ``catalog.item.published`` is emitted when an item becomes published (first time or back
from suspension), ``catalog.item.updated`` when a published or suspended item changes (including
its suspension), ``catalog.item.withdrawn`` when it is withdrawn. A draft changes silently: nobody
outside the catalog knows it yet. Item events are district-wide (tenant ``*``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.catalog.domain.errors import ItemExists, ItemNotFound, ItemTransitionForbidden, ItemWithdrawn
from bianmin.catalog.domain.search import index_item, weighted_grams
from bianmin.catalog.models import Department, Item, ItemChannel, ItemRevision, SearchGram
from bianmin.catalog.schemas import ItemCreate, ItemFields, ItemRead
from bianmin.contracts.events.catalog import ItemChanged
from bianmin.kit.errors import Unprocessable
from bianmin.kit.events import emit

TRANSITIONS: dict[str, set[str]] = {
    "draft": {"published", "withdrawn"},
    "published": {"suspended", "withdrawn"},
    "suspended": {"published", "withdrawn"},
    "withdrawn": set(),
}
LIST_FIELDS = ("aliases", "keywords", "cross_province_regions")
SEARCHED = {"name", "aliases", "keywords", "department_code"}


def check_transition(current: str, target: str) -> None:
    """409 unless an item may move from ``current`` to ``target``."""
    if target not in TRANSITIONS[current]:
        raise ItemTransitionForbidden(f"An item that is {current} cannot become {target}.")


def check_limits(legal: int, promised: int) -> None:
    """The promised time limit may not exceed the legal one (承诺时限 ≤ 法定时限)."""
    if promised > legal:
        raise Unprocessable.field("promised_limit_days", f"must not exceed legal_limit_days ({legal})")


def snapshot(item: Item) -> dict[str, Any]:
    """The item as JSON, for its revision history."""
    return ItemRead.model_validate(item).model_dump(mode="json", exclude={"score", "updated_at"})


async def get_item(session: AsyncSession, code: str) -> Item:
    """The item with this implementation code, or 404."""
    item = (await session.execute(select(Item).where(Item.code == code))).scalar_one_or_none()
    if item is None:
        raise ItemNotFound(f"No item {code}.")
    return item


async def department_name(session: AsyncSession, code: str) -> str:
    """The department's name, or a 422 naming ``department_code`` when there is no such department."""
    name = (await session.execute(select(Department.name).where(Department.code == code))).scalar_one_or_none()
    if name is None:
        raise Unprocessable.field("department_code", f"no department {code}")
    return name


async def _save_revision(session: AsyncSession, item: Item, *, change: str, by: str, now: datetime,
                         fields: set[str] | None = None, department: str | None = None) -> None:
    """Store the revision; refresh the channel rows and the search index when their fields changed (None: new item)."""
    await session.flush()
    session.add(ItemRevision(item_id=item.id, revision=item.revision, snapshot=snapshot(item), change=change,
                             changed_by=by, changed_at=now))
    if fields is None or "channels" in fields:
        if fields is not None:
            await session.execute(delete(ItemChannel).where(ItemChannel.item_id == item.id))
        await session.execute(insert(ItemChannel), [{"item_id": item.id, "channel": c} for c in item.channels])
    if fields is None or fields & SEARCHED:
        await index_item(session, item, department or await department_name(session, item.department_code),
                         fresh=fields is None)


async def _announce(session: AsyncSession, item: Item, subject: str) -> None:
    await emit(session, subject, ItemChanged(
        code=item.code, basic_code=item.basic_code, name=item.name, department_code=item.department_code,
        status=item.status, revision=item.revision, promised_limit_days=item.promised_limit_days,  # type: ignore[arg-type]
        channels=list(item.channels), appointment=item.appointment), tenant="*", about=item.code)


def _new_item(data: ItemCreate, *, status: str, now: datetime) -> Item:
    """An unsaved item at revision 1 from a creation body (defaults filled in)."""
    if status not in ("draft", "published"):
        raise ValueError("a new item is a draft or published")
    check_limits(data.legal_limit_days, data.promised_limit_days)
    values = data.model_dump(exclude_none=True, exclude={"status"})
    values["materials"] = [m.model_dump() for m in data.materials or []]
    for name in LIST_FIELDS:
        values.setdefault(name, [])
    values.setdefault("fee", Decimal("0"))
    values.setdefault("fee_basis", "")
    values.setdefault("appointment", False)
    values.setdefault("auto_approve", False)
    return Item(**values, status=status, revision=1, created_at=now, updated_at=now)


async def create_item(session: AsyncSession, data: ItemCreate, *, by: str, now: datetime) -> Item:
    """Add an item as a draft at revision 1 (an import creates published ones with :func:`create_items`); 409 when the code is taken."""
    item = _new_item(data, status="draft", now=now)
    department = await department_name(session, data.department_code)
    if (await session.execute(select(Item.id).where(Item.code == data.code))).first() is not None:
        raise ItemExists(f"Item {data.code} exists already.")
    session.add(item)
    await _save_revision(session, item, change="created", by=by, now=now, department=department)
    return item


async def create_items(session: AsyncSession, entries: list[tuple[ItemCreate, str]], *, by: str,
                       now: datetime) -> list[Item]:
    """Add many new items in a few statements (bulk import): rows, revisions, channels and index in batches."""
    codes = sorted({data.department_code for data, _ in entries})
    names = {r[0]: r[1] for r in (await session.execute(
        select(Department.code, Department.name).where(Department.code.in_(codes)))).all()}
    items: list[Item] = []
    for index, (data, status) in enumerate(entries):
        if data.department_code not in names:
            raise Unprocessable.field(f"items.{index}.department_code", f"no department {data.department_code}")
        try:
            items.append(_new_item(data, status=status, now=now))
        except Unprocessable as exc:
            raise Unprocessable.field(f"items.{index}.promised_limit_days", exc.errors[0].reason if exc.errors else "invalid") from exc
    session.add_all(items)
    await session.flush()
    session.add_all([ItemRevision(item_id=i.id, revision=1, snapshot=snapshot(i), change="created", changed_by=by,
                                  changed_at=now) for i in items])
    channels = [{"item_id": i.id, "channel": c} for i in items for c in i.channels]
    grams = [{"gram": g, "item_id": i.id, "weight": w} for i in items
             for g, w in weighted_grams(name=i.name, aliases=i.aliases, keywords=i.keywords,
                                        department=names[i.department_code]).items()]
    if channels:
        await session.execute(insert(ItemChannel), channels)
    if grams:
        await session.execute(insert(SearchGram), grams)
    for item in items:
        if item.status == "published":
            await _announce(session, item, "catalog.item.published")
    await session.flush()
    return items


async def update_item(session: AsyncSession, item: Item, data: ItemFields, *, by: str, now: datetime) -> Item:
    """Change an item's fields as a new revision; a withdrawn item is frozen (409)."""
    if item.status == "withdrawn":
        raise ItemWithdrawn("A withdrawn item cannot change.")
    changes = data.model_dump(exclude_unset=True)
    if "materials" in changes:
        changes["materials"] = [m.model_dump() for m in data.materials or []]
    for name in ("basic_code", "name", "type", "department_code", "target_group", "exercise_level",
                 "legal_limit_days", "promised_limit_days", "fee", "channels", "appointment", "auto_approve",
                 "materials", *LIST_FIELDS):
        if name in changes and changes[name] is None:
            if name in LIST_FIELDS:
                changes[name] = []
            else:
                raise Unprocessable.field(name, "must not be null")
    check_limits(changes.get("legal_limit_days", item.legal_limit_days),
                 changes.get("promised_limit_days", item.promised_limit_days))
    if "department_code" in changes:
        await department_name(session, changes["department_code"])
    if not changes:
        return item
    for name, value in changes.items():
        setattr(item, name, value)
    item.revision += 1
    item.updated_at = now
    await _save_revision(session, item, change="updated", by=by, now=now, fields=set(changes))
    if item.status in ("published", "suspended"):
        await _announce(session, item, "catalog.item.updated")
    return item


async def change_status(session: AsyncSession, item: Item, target: str, *, by: str, now: datetime) -> Item:
    """Move an item to ``target`` (409 when the flow forbids it), as a new revision with its event."""
    check_transition(item.status, target)
    previous = item.status
    item.status = target
    item.revision += 1
    item.updated_at = now
    await _save_revision(session, item, change=target, by=by, now=now, fields=set())
    if target == "published":
        await _announce(session, item, "catalog.item.published")
    elif target == "withdrawn":
        if previous != "draft":
            await _announce(session, item, "catalog.item.withdrawn")
    else:
        await _announce(session, item, "catalog.item.updated")
    return item


async def revisions(session: AsyncSession, item: Item) -> list[ItemRevision]:
    """Every revision of an item, newest first."""
    return list((await session.execute(select(ItemRevision).where(ItemRevision.item_id == item.id)
                                       .order_by(ItemRevision.revision.desc()))).scalars())
