"""Shared dependencies of the webhooks routers: scopes, the owned endpoint or delivery, the secret box, ids and cursors.

Every route that names an endpoint or a delivery in its path takes it through ``EndpointDep``,
``LockedEndpointDep`` or ``DeliveryDep``: the loader reads the path id and checks that the caller
manages the endpoint (``domain.endpoints.manages``), so no route can reach a row without that check.
``tests/test_ownership.py`` fails for a route that takes ``endpoint_id`` or ``delivery_id`` any other way.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request

from bianmin.kit.db import SessionDep
from bianmin.kit.errors import ScopeMissing, Unprocessable
from bianmin.kit.identity import Principal, PrincipalDep, require_scopes
from bianmin.webhooks.domain import deliveries, endpoints
from bianmin.webhooks.domain.errors import SecretKeyMissing
from bianmin.webhooks.domain.signing import SecretBox
from bianmin.webhooks.models import Delivery, Endpoint
from bianmin.webhooks.settings import WebhooksSettings

WRITE = require_scopes("webhooks:write")


async def _reader(principal: PrincipalDep) -> Principal:
    """403 unless the key may read endpoints: ``webhooks:read``, or ``webhooks:write`` which implies it."""
    if not (principal.has_scope("webhooks:read") or principal.has_scope("webhooks:write")):
        raise ScopeMissing("This key lacks the scope webhooks:read.")
    return principal


_reader.required_scopes = ("webhooks:read",)  # type: ignore[attr-defined]
READ = Depends(_reader)


async def get_settings(request: Request) -> WebhooksSettings:
    """The service's settings (``async``: no thread-pool hop)."""
    return request.app.state.settings


async def secret_box(request: Request) -> SecretBox:
    """The box that seals endpoint secrets; 503 when the service has no key material configured."""
    box = request.app.state.secret_box
    if box is None:
        raise SecretKeyMissing("The webhooks service has no key to encrypt secrets with.")
    return box


def cursor_int(after: list[Any] | None) -> int | None:
    """The integer sort key of a cursor; 422 when the cursor holds something else."""
    if after is None:
        return None
    if len(after) != 1 or not isinstance(after[0], int) or isinstance(after[0], bool):
        raise Unprocessable.field("cursor", "is not a cursor this API issued")
    return after[0]


Id = Annotated[int, Path(ge=1, le=2_147_483_647, description="A numeric id.")]


async def owned_endpoint(endpoint_id: Id, session: SessionDep, who: PrincipalDep) -> Endpoint:
    """The endpoint of the path, if the caller manages it; 404 otherwise."""
    return await endpoints.get_owned(session, endpoint_id, by=who)


async def locked_endpoint(endpoint_id: Id, session: SessionDep, who: PrincipalDep) -> Endpoint:
    """The endpoint of the path, locked for this transaction, if the caller manages it; 404 otherwise."""
    return await endpoints.get_owned(session, endpoint_id, by=who, lock=True)


async def owned_delivery(delivery_id: Id, session: SessionDep, who: PrincipalDep) -> Delivery:
    """The delivery of the path, if the caller manages its endpoint; 404 otherwise."""
    return await deliveries.get_owned(session, delivery_id, by=who)


OWNERSHIP_LOADERS = (owned_endpoint, locked_endpoint, owned_delivery)
BoxDep = Annotated[SecretBox, Depends(secret_box)]
SettingsDep = Annotated[WebhooksSettings, Depends(get_settings)]
EndpointDep = Annotated[Endpoint, Depends(owned_endpoint)]
LockedEndpointDep = Annotated[Endpoint, Depends(locked_endpoint)]
DeliveryDep = Annotated[Delivery, Depends(owned_delivery)]
