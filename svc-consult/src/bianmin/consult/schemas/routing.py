"""Schemas of departments and keyword routing rules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bianmin.consult.schemas.common import DepartmentCode, Keyword, Name
from bianmin.kit.schemas import RequestBody

Priority = Annotated[int, Field(ge=0, le=1000)]


class DepartmentPut(RequestBody):
    """A department's name and who supervises it."""

    name: Annotated[Name, Field(max_length=100)]
    supervisor_code: DepartmentCode | None = None
    active: bool = True


class DepartmentRead(BaseModel):
    """A department."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    supervisor_code: str | None
    active: bool


class RuleCreate(RequestBody):
    """A keyword that sends questions to a department."""

    keyword: Keyword
    department_code: DepartmentCode
    priority: Priority = 0
    active: bool = True


class RuleUpdate(RequestBody):
    """A change to a rule; fields left out stay."""

    keyword: Keyword | None = None
    department_code: DepartmentCode | None = None
    priority: Priority | None = None
    active: bool | None = None


class RuleRead(BaseModel):
    """A routing rule."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    keyword: str
    department_code: str
    priority: int
    active: bool
    updated_at: datetime
