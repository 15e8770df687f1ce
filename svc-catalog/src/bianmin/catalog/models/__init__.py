"""The catalog service's tables, one module per aggregate. The kit's outbox, inbox, idempotency and calendar tables sit beside them.

``Base`` is defined here; the table modules register on its MetaData when imported below.
"""

from sqlalchemy.orm import DeclarativeBase

from bianmin.kit.db import make_base

Base: type[DeclarativeBase] = make_base()

from bianmin.catalog.models.agreements import Agreement  # noqa: E402
from bianmin.catalog.models.applications import Application, ApplicationStep  # noqa: E402
from bianmin.catalog.models.calendar import Announcement, CalendarVersion  # noqa: E402
from bianmin.catalog.models.evaluations import Evaluation  # noqa: E402
from bianmin.catalog.models.items import Item, ItemChannel, ItemRevision, SearchGram  # noqa: E402
from bianmin.catalog.models.policies import Policy, Redemption  # noqa: E402
from bianmin.catalog.models.sites import Department, Offering, Site  # noqa: E402

__all__ = [
    "Agreement", "Announcement", "Application", "ApplicationStep", "Base", "CalendarVersion", "Department",
    "Evaluation", "Item", "ItemChannel", "ItemRevision", "Offering", "Policy", "Redemption", "SearchGram", "Site",
]
