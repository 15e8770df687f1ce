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
    EventSpec("catalog.item.published", ItemChanged, "A service item was published."),
    EventSpec("catalog.item.updated", ItemChanged, "A published service item changed."),
    EventSpec("catalog.item.withdrawn", ItemChanged, "A service item was withdrawn."),
    EventSpec("catalog.application.submitted", ApplicationSubmitted, "An application was received."),
    EventSpec("catalog.application.status_changed", ApplicationStatusChanged, "An application changed status."),
    EventSpec("catalog.evaluation.submitted", EvaluationSubmitted, "A citizen rated an application."),
)
CONSUMES: tuple[str, ...] = ()
