"""Schemas of halls, business lines and counters."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from bianmin.kit.schemas import RequestBody, SiteCode
from bianmin.queue.schemas.common import ItemCode, Name, Prefix, Text100


class HallCreate(RequestBody):
    """Open a hall at a site."""

    code: SiteCode = Field(description="An open site of the district's registry that has a hall: the district's "
                                       "centre, a township or street, a village or community, or a bank outlet "
                                       "(at most 12 characters); not a terminal.")
    name: Text100 | None = Field(default=None, description="Defaults to the site's name in the registry.")
    address: Annotated[str, StringConstraints(max_length=200)] = ""
    alert_wait_minutes: int = Field(default=30, ge=1, le=480)
    alert_waiting_count: int = Field(default=10, ge=1, le=10000)


class HallUpdate(RequestBody):
    """Change a hall's name, address or alert thresholds."""

    name: Text100 | None = None
    address: Annotated[str, StringConstraints(max_length=200)] | None = None
    alert_wait_minutes: int | None = Field(default=None, ge=1, le=480)
    alert_waiting_count: int | None = Field(default=None, ge=1, le=10000)


class HallRead(BaseModel):
    """A hall."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    tenant: str
    address: str
    alert_wait_minutes: int
    alert_waiting_count: int
    active: bool = Field(description="False while the hall's site is closed in the district's registry: "
                                     "no new tickets, slots or appointments.")


class LineCreate(RequestBody):
    """Add a business line to a hall."""

    prefix: Prefix = Field(description="The letter its numbers start with (A).")
    name: Text100
    daily_cap: int = Field(default=300, ge=1, le=999)
    item_codes: list[ItemCode] = Field(default_factory=list, max_length=200)


class LineUpdate(RequestBody):
    """Change a line."""

    name: Text100 | None = None
    daily_cap: int | None = Field(default=None, ge=1, le=999)
    active: bool | None = None
    item_codes: list[ItemCode] | None = Field(default=None, max_length=200)


class LineItemRead(BaseModel):
    """An item a line serves, named from the catalog's read model when known."""

    code: str
    name: str | None
    status: str | None
    known: bool


class LineRead(BaseModel):
    """A business line."""

    id: int
    hall_code: str
    prefix: str
    name: str
    daily_cap: int
    active: bool
    items: list[LineItemRead]


class CounterLineIn(RequestBody):
    """A line a counter serves and its weight."""

    line: Prefix
    weight: int = Field(default=1, ge=1, le=10)


class CounterCreate(RequestBody):
    """Add a counter to a hall."""

    number: int = Field(ge=1, le=999)
    name: Annotated[str, StringConstraints(max_length=100)] = ""
    state: Literal["open", "paused", "closed"] = "closed"
    staff_name: Name | None = None
    lines: list[CounterLineIn] = Field(min_length=1, max_length=26)


class CounterUpdate(RequestBody):
    """Open, pause or close a counter; change its staff or lines."""

    state: Literal["open", "paused", "closed"] | None = None
    staff_name: Name | None = None
    clear_staff: bool = False
    name: Annotated[str, StringConstraints(max_length=100)] | None = None
    lines: list[CounterLineIn] | None = Field(default=None, min_length=1, max_length=26)


class CounterLineRead(BaseModel):
    """A line a counter serves."""

    line: str
    weight: int


class CounterRead(BaseModel):
    """A counter."""

    id: int
    hall_code: str
    number: int
    name: str
    state: str
    staff_name: str | None
    lines: list[CounterLineRead]
