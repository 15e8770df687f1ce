"""Shared dependencies of the webhooks routers: settings, scopes, the owned endpoint or delivery, the secret box.

Every route that names an endpoint or a delivery in its path takes it through ``EndpointDep``,
``LockedEndpointDep``, ``DeliveryDep`` or their read-only twins ``ReadEndpointDep`` and
``ReadDeliveryDep``: the loader reads the path id and checks that the caller manages the endpoint
(``domain.endpoints.manages``), so no route can reach a row without that check.
``tests/test_ownership.py`` fails for a route that takes ``endpoint_id`` or ``delivery_id`` any other way.

The read-only loaders load through ``ReadSessionDep``, so a route that only reads (and takes the same
session) opens no write transaction at all; a route that writes loads through ``SessionDep`` and
changes the very row it loaded.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import ScopeMissing
from bianmin.kit.identity import Principal, PrincipalDep, require_scopes
from bianmin.kit.policy import app, policy
from bianmin.kit.settings import settings_dependency
from bianmin.webhooks.domain import deliveries, endpoints
from bianmin.webhooks.domain.errors import SecretKeyMissing
from bianmin.webhooks.domain.signing import SecretBox
from bianmin.webhooks.models import Delivery, Endpoint
from bianmin.webhooks.settings import WebhooksSettings

SettingsDep = settings_dependency(WebhooksSettings)
# Endpoints belong to apps (a township's integration, a third-party app, an operator's key): an endpoint
# receives events as the key that registered it, for as long as it lives. A person's sign-in is a
# session that ends, so no person (not even an operator signed in) owns one (issue 19: who acts, per route).
OWNERS = policy(app())
WRITE = require_scopes("webhooks:write")


async def _reader(principal: PrincipalDep) -> Principal:
    """403 unless the key may read endpoints: ``webhooks:read``, or ``webhooks:write`` which implies it."""
    if not (principal.has_scope("webhooks:read") or principal.has_scope("webhooks:write")):
        raise ScopeMissing("This key lacks the scope webhooks:read.")
    return principal


_reader.required_scopes = ("webhooks:read",)  # type: ignore[attr-defined]
READ = Depends(_reader)


async def secret_box(request: Request) -> SecretBox:
    """The box that seals endpoint secrets; 503 when the service has no key material configured."""
    box = request.app.state.secret_box
    if box is None:
        raise SecretKeyMissing("The webhooks service has no key to encrypt secrets with.")
    return box


Id = Annotated[int, Path(ge=1, le=2_147_483_647, description="A numeric id.")]


async def owned_endpoint(endpoint_id: Id, session: SessionDep, who: PrincipalDep) -> Endpoint:
    """The endpoint of the path, if the caller manages it; 404 otherwise."""
    return await endpoints.get_owned(session, endpoint_id, by=who)


async def read_endpoint(endpoint_id: Id, session: ReadSessionDep, who: PrincipalDep) -> Endpoint:
    """The endpoint of the path, read through the read-only session, if the caller manages it; 404 otherwise."""
    return await endpoints.get_owned(session, endpoint_id, by=who)


async def locked_endpoint(endpoint_id: Id, session: SessionDep, who: PrincipalDep) -> Endpoint:
    """The endpoint of the path, locked for this transaction, if the caller manages it; 404 otherwise."""
    return await endpoints.get_owned(session, endpoint_id, by=who, lock=True)


async def owned_delivery(delivery_id: Id, session: SessionDep, who: PrincipalDep) -> Delivery:
    """The delivery of the path, if the caller manages its endpoint; 404 otherwise."""
    return await deliveries.get_owned(session, delivery_id, by=who)


async def read_delivery(delivery_id: Id, session: ReadSessionDep, who: PrincipalDep) -> Delivery:
    """The delivery of the path, read through the read-only session, if the caller manages its endpoint; 404 otherwise."""
    return await deliveries.get_owned(session, delivery_id, by=who)


OWNERSHIP_LOADERS = (owned_endpoint, read_endpoint, locked_endpoint, owned_delivery, read_delivery)
BoxDep = Annotated[SecretBox, Depends(secret_box)]
EndpointDep = Annotated[Endpoint, Depends(owned_endpoint)]
ReadEndpointDep = Annotated[Endpoint, Depends(read_endpoint)]
LockedEndpointDep = Annotated[Endpoint, Depends(locked_endpoint)]
DeliveryDep = Annotated[Delivery, Depends(owned_delivery)]
ReadDeliveryDep = Annotated[Delivery, Depends(read_delivery)]
