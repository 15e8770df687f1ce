"""Building the webhooks API's answers from rows, where an answer is more than one row read as it is.

An endpoint's secret is never read from its row (it is sealed there): it enters an answer only as
the clear text a create or a rotation has just minted, and a delivery's detail joins its attempts.
"""

from __future__ import annotations

from collections.abc import Sequence

from bianmin.kit.pagination import Page
from bianmin.webhooks.models import Attempt, Delivery, Endpoint
from bianmin.webhooks.schemas import AttemptRead, DeliveryDetail, DeliveryRead, EndpointRead, EndpointWithSecret, SecretRead


def endpoint_read(endpoint: Endpoint) -> EndpointRead:
    """An endpoint as its owner sees it, without its secret."""
    return EndpointRead.model_validate(endpoint)


def endpoint_with_secret(endpoint: Endpoint, secret: str | None) -> EndpointWithSecret:
    """A create's answer: the endpoint and its new secret (None for the copy kept for Idempotency-Key replays)."""
    return EndpointWithSecret(**endpoint_read(endpoint).model_dump(), secret=secret)


def secret_read(endpoint: Endpoint, secret: str) -> SecretRead:
    """A rotation's answer: the new secret, and until when the previous one still signs."""
    return SecretRead(endpoint_id=endpoint.id, secret=secret, previous_valid_until=endpoint.previous_secret_until)


def endpoint_page(rows: Sequence[Endpoint], next_cursor: str | None) -> Page[EndpointRead]:
    """A page of endpoints."""
    return Page(items=[endpoint_read(row) for row in rows], next_cursor=next_cursor)


def delivery_read(delivery: Delivery) -> DeliveryRead:
    """A delivery and where it stands, without its body."""
    return DeliveryRead.model_validate(delivery)


def delivery_page(rows: Sequence[Delivery], next_cursor: str | None) -> Page[DeliveryRead]:
    """A page of deliveries."""
    return Page(items=[delivery_read(row) for row in rows], next_cursor=next_cursor)


def delivery_detail(delivery: Delivery, attempts: Sequence[Attempt]) -> DeliveryDetail:
    """A delivery with the body it sends and its attempts, oldest first."""
    return DeliveryDetail(**delivery_read(delivery).model_dump(), body=delivery.body,
                          attempt_log=[AttemptRead.model_validate(attempt) for attempt in attempts])
