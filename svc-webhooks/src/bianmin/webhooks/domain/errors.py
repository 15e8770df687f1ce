"""The webhooks service's refusals, one class per meaning, each with the stable ``code`` clients match on.

The kit's handler turns each into problem+json with its status. Codes every service shares live in
the kit (``ScopeMissing`` for a key without ``webhooks:read``, raised in ``api/deps.py``); the ones
here are this service's own and keep the spelling clients have seen since the service began.
"""

from __future__ import annotations

from bianmin.kit.errors import Conflict, Forbidden, NotFound, ServiceUnavailable


class EndpointNotFound(NotFound):
    """No endpoint of that id that the caller manages: another township's is as absent as a missing one,
    so ids reveal nothing (``domain/endpoints.py``)."""

    code = "endpoint_not_found"

    def __init__(self, endpoint_id: int) -> None:
        super().__init__(f"No endpoint {endpoint_id}.")


class DeliveryNotFound(NotFound):
    """No delivery of that id on an endpoint the caller manages, or one whose event the caller may not read."""

    code = "delivery_not_found"

    def __init__(self, delivery_id: int) -> None:
        super().__init__(f"No delivery {delivery_id}.")


class TenantMissing(Forbidden):
    """A key without a tenant may not register an endpoint: it once got a district-wide one by default."""

    code = "tenant_missing"


class EndpointIsDisabled(Conflict):
    """A disabled endpoint is sent nothing, test pings included, until it is enabled again."""

    code = "endpoint_disabled"


class EndpointWithoutOwner(Conflict):
    """An endpoint saved before owners were recorded receives nothing until a key saves it again."""

    code = "endpoint_without_owner"


class SecretKeyMissing(ServiceUnavailable):
    """The deployment has no key material to seal endpoint secrets with; an operator must configure one."""

    code = "secret_key_missing"
