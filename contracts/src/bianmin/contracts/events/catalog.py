"""Events of the catalog service."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from bianmin.contracts.spec import EventSpec, Payload


class ItemChanged(Payload):
    """A service item was published, changed or withdrawn (consumers keep a read model of items)."""

    code: str = Field(description="Implementation code of the item (实施编码).")
    basic_code: str
    name: str
    department_code: str
    status: Literal["draft", "published", "suspended", "withdrawn"]
    revision: int


class CalendarDayChanged(Payload):
    """An operator set or cleared a day of the district's working-day calendar (节假日与调休)."""

    day: date
    workday: bool | None = Field(description="True: a working day; False: a day off; None: the override was removed.")
    note: str = ""


PUBLISHES: tuple[EventSpec, ...] = (
    EventSpec("catalog.calendar.changed", CalendarDayChanged, "A day of the working-day calendar was set or cleared."),
    EventSpec("catalog.item.published", ItemChanged, "A service item was published."),
    EventSpec("catalog.item.updated", ItemChanged, "A published service item changed."),
    EventSpec("catalog.item.withdrawn", ItemChanged, "A service item was withdrawn."),
)
CONSUMES: tuple[str, ...] = ()
