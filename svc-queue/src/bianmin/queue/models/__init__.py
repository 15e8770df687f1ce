"""The queue service's tables, one module per aggregate. The kit's outbox, inbox and idempotency tables sit beside them."""

from bianmin.queue.models.base import Base
from bianmin.queue.models.booking import Appointment, BookingQuota, Slot
from bianmin.queue.models.catalog import CatalogItem
from bianmin.queue.models.evaluation import Evaluation, Rectification
from bianmin.queue.models.halls import Counter, CounterLine, Hall, HallAlert, Line, LineDayCounter, LineItem
from bianmin.queue.models.tickets import CallLog, Ticket

__all__ = [
    "Appointment", "Base", "BookingQuota", "CallLog", "CatalogItem", "Counter", "CounterLine", "Evaluation", "Hall",
    "HallAlert", "Line", "LineDayCounter", "LineItem", "Rectification", "Slot", "Ticket",
]
