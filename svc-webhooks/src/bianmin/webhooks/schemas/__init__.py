"""Request and response models of the webhooks API, one module per resource, all importable from here."""

from bianmin.webhooks.schemas.deliveries import (
    AttemptRead,
    DeliveryDetail,
    DeliveryRead,
    DeliveryStatus,
    ReplayRange,
    ReplayResult,
)
from bianmin.webhooks.schemas.endpoints import (
    EndpointCreate,
    EndpointRead,
    EndpointStatus,
    EndpointUpdate,
    EndpointWithSecret,
    SecretRead,
)

__all__ = [
    "AttemptRead", "DeliveryDetail", "DeliveryRead", "DeliveryStatus", "EndpointCreate", "EndpointRead",
    "EndpointStatus", "EndpointUpdate", "EndpointWithSecret", "ReplayRange", "ReplayResult", "SecretRead",
]
