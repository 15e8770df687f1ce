"""The catalog service's tables. The kit's outbox, inbox, idempotency and calendar tables sit beside them.

``Base`` is defined here; the table modules register on its MetaData when imported below.
"""

from sqlalchemy.orm import DeclarativeBase

from bianmin.kit.db import make_base

Base: type[DeclarativeBase] = make_base()

from bianmin.catalog.models.catalog import (  # noqa: E402
    Agreement,
    Department,
    Item,
    ItemChannel,
    ItemRevision,
    Offering,
    SearchGram,
    Site,
)
from bianmin.catalog.models.work import (  # noqa: E402
    Application,
    ApplicationStep,
    Evaluation,
    Policy,
    Redemption,
)

__all__ = [
    "Agreement", "Application", "ApplicationStep", "Base", "Department", "Evaluation", "Item", "ItemChannel",
    "ItemRevision", "Offering", "Policy", "Redemption", "SearchGram", "Site",
]
