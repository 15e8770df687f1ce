"""The webhooks service's tables: endpoints, and the delivery log (deliveries and their attempts)."""

from bianmin.webhooks.models.base import Base
from bianmin.webhooks.models.delivery import Attempt, Delivery
from bianmin.webhooks.models.endpoint import Endpoint

__all__ = ["Attempt", "Base", "Delivery", "Endpoint"]
