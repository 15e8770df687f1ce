"""Who read whose personal data, when and why: the access log every service keeps.

个人信息保护法 (PIPL) §51 asks a handler of personal information to control access to it and keep
records; GB/T 35273-2020 §7.4 asks that an unmasked read of personal data by staff be authorised by
their task and recorded. Every response masks names, phone numbers and ID numbers
(:mod:`bianmin.kit.identifiers`) unless the acting subject's role needs them for the task; a route
that answers unmasked calls :func:`record_access` in the same transaction as its read, naming the
resource, the fields shown and the purpose. Supervisors and operators read the log at
``GET /v1/access-log`` of each service (:func:`access_log_router`).

A row names the app and the subject acting (kind and stable id), never the personal data itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped

from bianmin.kit.db import ReadSessionDep
from bianmin.kit.errors import DistrictOnly, problem_responses
from bianmin.kit.identity import Principal, PrincipalDep
from bianmin.kit.pagination import Page, PageDep, paginate
from bianmin.kit.policy import app, operator, policy, supervisor
from bianmin.kit.tables import kit_metadata, personal_data_access


class _KitBase(DeclarativeBase):
    metadata = kit_metadata


class PersonalDataAccess(_KitBase):
    """One unmasked read of personal data (the ORM view of ``personal_data_access``, for paging)."""

    __table__ = personal_data_access

    id: Mapped[int]
    at: Mapped[dt.datetime]
    app: Mapped[str]
    subject_kind: Mapped[str | None]
    subject_id: Mapped[str | None]
    action: Mapped[str]
    resource: Mapped[str]
    site_code: Mapped[str | None]
    fields: Mapped[list[str]]
    purpose: Mapped[str]


async def record_access(session: AsyncSession, principal: Principal, *, at: dt.datetime, action: str,
                        resource: str, fields: Iterable[str], purpose: str, site: str | None = None) -> None:
    """Log one unmasked read; the caller's transaction commits it with the read's other writes."""
    await record_accesses(session, principal, at=at, action=action, resources=[(resource, site)], fields=fields,
                          purpose=purpose)


async def record_accesses(session: AsyncSession, principal: Principal, *, at: dt.datetime, action: str,
                          resources: Sequence[tuple[str, str | None]], fields: Iterable[str], purpose: str) -> None:
    """Log the unmasked reads of one answer (a list shows many resources), as one statement; nothing for none."""
    if not resources:
        return
    subject = principal.subject
    shown = sorted(set(fields))
    await session.execute(insert(personal_data_access), [
        {"at": at, "app": principal.key_id or "anonymous", "subject_kind": subject.kind if subject else None,
         "subject_id": subject.id if subject else None, "action": action, "resource": resource, "site_code": site,
         "fields": shown, "purpose": purpose}
        for resource, site in resources])


class AccessRead(BaseModel):
    """One logged read, as supervisors see it."""

    id: int
    at: dt.datetime
    app: str
    subject_kind: str | None
    subject_id: str | None
    action: str
    resource: str
    site_code: str | None
    fields: list[str]
    purpose: str


def access_log_router() -> APIRouter:
    """``GET /access-log``: the service's unmasked reads, newest first, for supervisors and operators."""
    router = APIRouter(tags=["access log"])

    @router.get("/access-log", summary="Personal-data access log",
                dependencies=[policy(supervisor(), operator(), app())], responses=problem_responses(401, 403, 422))
    async def access_log(session: ReadSessionDep, principal: PrincipalDep, page: PageDep,
                         subject_id: Annotated[str | None, Query(max_length=100)] = None) -> Page[AccessRead]:
        """Who read whose personal data unmasked in this service, when, and for what (个人信息保护法 §51)."""
        if principal.subject is None and not principal.operator:
            raise DistrictOnly("Only a district operator's key or a supervisor reads the access log.")
        statement = select(PersonalDataAccess)
        if subject_id is not None:
            statement = statement.where(PersonalDataAccess.subject_id == subject_id)
        rows, cursor = await paginate(session, statement, page, keys=[PersonalDataAccess.at, PersonalDataAccess.id],
                                      descending=True)
        return Page(items=[AccessRead.model_validate(r, from_attributes=True) for r in rows], next_cursor=cursor)

    return router
