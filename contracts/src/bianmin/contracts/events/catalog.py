"""Events of the catalog service.

Every catalog event carries ``tenant`` = the township that owns the site it concerns (``*`` for
district-wide events such as item changes and calendar days). Payloads hold no personal data:
applicants are named by neither name nor ID number, only by their type.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from bianmin.contracts.spec import EventSpec, Payload

ItemStatus = Literal["draft", "published", "suspended", "withdrawn"]
ApplicationStatus = Literal["submitted", "accepted", "approved", "rejected", "completed", "withdrawn"]
Channel = Literal["online", "window", "kiosk", "mobile_pad", "bank_terminal", "bank_staff"]


class ItemChanged(Payload):
    """A service item was published, changed or withdrawn (consumers keep a read model of items)."""

    code: str = Field(description="Implementation code of the item (实施编码).")
    basic_code: str
    name: str
    department_code: str
    status: ItemStatus
    revision: int
    promised_limit_days: int | None = Field(default=None, description="Promised time limit in working days.")
    channels: list[str] = Field(default_factory=list, description="Channels the item can be handled through.")
    appointment: bool = Field(default=False, description="Whether the item supports appointments.")


class CalendarDayChanged(Payload):
    """An operator set or cleared a day of the district's working-day calendar (节假日与调休)."""

    day: date
    workday: bool | None = Field(description="True: a working day; False: a day off; None: the override was removed.")
    note: str = ""


class NoticeDay(Payload):
    """A day a State Council holiday notice names: a holiday (off) or a make-up working day (调休上班)."""

    day: date
    workday: bool = Field(description="True: a make-up working day on a weekend; False: a holiday.")
    name: str = Field(default="", max_length=60, description="The holiday the day belongs to (元旦, 春节, ...).")


class CalendarYearLoaded(Payload):
    """A year's working-day calendar, whole: the notice it follows, its version and the digest of the result.

    Each event carries the entire year, so a consumer replaces its copy of the year (the newest
    version wins) and a service that starts later rebuilds every year from the stream alone.
    """

    year: int
    version: int = Field(ge=1, description="Raised by one at each load of the year; the newest wins.")
    notice: str = Field(description="The notice the year follows (国务院办公厅关于…部分节假日安排的通知, its number).")
    days: list[NoticeDay]
    digest: str = Field(description="SHA-256 of the year's working days, as every service computes it.")
    loaded_by: str
    loaded_at: datetime


class SiteChanged(Payload):
    """A site of the district's registry was added, changed or closed (every service validates site codes by it)."""

    code: str
    name: str
    level: str = Field(description="district, township, village, bank (an outlet) or terminal.")
    parent_code: str | None = None
    tenant: str = Field(description="The township that owns the site, or * for district-wide sites.")
    active: bool = True
    updated_at: datetime


class ApplicationSubmitted(Payload):
    """An application (办件) was received at a site through a channel."""

    number: str = Field(description="Application number (办件编号).")
    item_code: str
    department_code: str
    site_code: str
    channel: Channel
    applicant_type: Literal["natural", "legal"]
    submitted_at: datetime
    promised_date: date = Field(description="Promised completion date, in working days from submission (day zero).")
    status: ApplicationStatus


class ApplicationStatusChanged(Payload):
    """An application moved from one status to another; ``auto`` marks auto-approval (无人审核)."""

    number: str
    item_code: str
    site_code: str
    from_status: ApplicationStatus
    to_status: ApplicationStatus
    at: datetime
    actor: str = Field(description="Key id of who made the change, or 'system:auto-approval'.")
    auto: bool = False
    certificate_no: str | None = None


class EvaluationSubmitted(Payload):
    """A citizen rated an application (好差评, one rating per application)."""

    application_number: str
    item_code: str
    site_code: str
    department_code: str
    level: int = Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意.")
    bad: bool = Field(description="True for 不满意 and 非常不满意: a rectification case was opened.")
    submitted_at: datetime


PUBLISHES: tuple[EventSpec, ...] = (
    EventSpec("catalog.calendar.changed", CalendarDayChanged, "A day of the working-day calendar was set or cleared."),
    EventSpec("catalog.calendar.year_loaded", CalendarYearLoaded, "A year of the working-day calendar was loaded."),
    EventSpec("catalog.site.changed", SiteChanged, "A site of the registry was added, changed or closed."),
    EventSpec("catalog.item.published", ItemChanged, "A service item was published."),
    EventSpec("catalog.item.updated", ItemChanged, "A published service item changed."),
    EventSpec("catalog.item.withdrawn", ItemChanged, "A service item was withdrawn."),
    EventSpec("catalog.application.submitted", ApplicationSubmitted, "An application was received."),
    EventSpec("catalog.application.status_changed", ApplicationStatusChanged, "An application changed status."),
    EventSpec("catalog.evaluation.submitted", EvaluationSubmitted, "A citizen rated an application."),
)
CONSUMES: tuple[str, ...] = ()
