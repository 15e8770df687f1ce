"""Factories for the consult service's tests: principals, times, departments and consultations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from bianmin.kit.identity import Principal
from bianmin.kit.workdays import SHANGHAI

ADMIN = Principal(key_id="key-consult-admin", tenant="*", scopes=frozenset({"consult:admin"}), name="督查室")


def staff(department: str, tenant: str = "*", key: str | None = None) -> Principal:
    """A department staff key answering for ``department`` at ``tenant``."""
    return Principal(key_id=key or f"key-{department.lower()}-{tenant}", tenant=tenant,
                     scopes=frozenset({"consult:answer", f"consult:dept:{department}"}))


def at(text: str) -> datetime:
    """A Shanghai wall-clock time, e.g. ``at("2026-09-28 10:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def instant(text: str) -> datetime:
    """An ISO 8601 time from a response, as an aware datetime to compare."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


DEPARTMENTS = {"SCJ": "市场监管局", "RSJ": "人力社保局", "DCS": "区政府督查室", "ZJJ": "住房和城乡建设局"}


async def seed_departments(admin: httpx.AsyncClient) -> None:
    """The departments most tests use; SCJ and RSJ are supervised by the 督查室."""
    for code, name in DEPARTMENTS.items():
        body = {"name": name, "supervisor_code": None if code == "DCS" else "DCS"}
        response = await admin.put(f"/v1/departments/{code}", json=body)
        assert response.status_code == 200, response.text


async def ask(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """Submit a consultation and return the receipt (with its access code)."""
    body = {"title": "个体户营业执照怎么办理", "body": "我想在便民区开一家小吃店，需要准备哪些材料？",
            "contact_name": "王小明", "contact_phone": "13800138000", **fields}
    response = await client.post("/v1/consultations", json=body)
    assert response.status_code == 201, response.text
    return response.json()


SECOND_DISTRICT = {"320583000": ("district", None, "*"), "320583011": ("township", "320583000", "320583011"),
                   "320583011201": ("village", "320583011", "320583011")}
"""A second, different district the demo registry does not hold: its hall, a township above 010 and a village."""


async def add_second_district(app: Any) -> None:
    """Let the app hear of the second district's sites, as ``catalog.site.changed`` would tell it."""
    from bianmin.contracts.events.catalog import SiteChanged
    from bianmin.kit.site_registry import record_site

    async with app.state.db.sessionmaker() as session:
        for code, (level, parent, tenant) in SECOND_DISTRICT.items():
            await record_site(session, SiteChanged(code=code, name=f"第二区站点{code}", level=level, parent_code=parent,
                                                   tenant=tenant, updated_at=at("2026-01-01 00:00")))
        await session.commit()
