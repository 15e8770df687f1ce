"""The delivery log: an endpoint's deliveries, one delivery with its attempts, and its replay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.pagination import Page, PageDep
from bianmin.webhooks.api import views
from bianmin.webhooks.api.deps import OWNERS, READ, WRITE, DeliveryDep, ReadDeliveryDep, ReadEndpointDep
from bianmin.webhooks.domain import deliveries
from bianmin.webhooks.domain.errors import DeliveryNotFound
from bianmin.webhooks.schemas import DeliveryDetail, DeliveryRead, DeliveryStatus

router = APIRouter(tags=["deliveries"])
TypeFilter = Annotated[str | None, Query(max_length=200, pattern=r"^[a-z0-9_.]+$",
                                         description="Only this CloudEvents type, e.g. `bianmin.bidding.project.awarded.v1`.")]


@router.get("/endpoints/{endpoint_id}/deliveries", summary="An endpoint's deliveries", dependencies=[OWNERS, READ],
            responses=problem_responses(401, 403, 404, 422))
async def list_deliveries(endpoint: ReadEndpointDep, session: ReadSessionDep, page: PageDep,
                          status: DeliveryStatus | None = None, event_type: TypeFilter = None) -> Page[DeliveryRead]:
    """The deliveries of one endpoint, newest first, optionally of one status or event type."""
    rows, next_cursor = await deliveries.listing(session, endpoint.id, page, status=status, event_type=event_type)
    return views.delivery_page(rows, next_cursor)


@router.get("/deliveries/{delivery_id}", summary="A delivery and its attempts", dependencies=[OWNERS, READ],
            responses=problem_responses(401, 403, 404, 422))
async def get_delivery(delivery: ReadDeliveryDep, session: ReadSessionDep, who: PrincipalDep) -> DeliveryDetail:
    """One delivery with the body it sends and every attempt (status code, latency, error, time).

    404 as well when the caller could not read the event itself through the publishing service's API:
    another key of the township manages the endpoint but may hold fewer scopes than its owner.
    """
    if not deliveries.may_see_body(who, delivery):
        raise DeliveryNotFound(delivery.id)
    return views.delivery_detail(delivery, await deliveries.attempts_of(session, delivery.id))


@router.post("/deliveries/{delivery_id}/replay", status_code=202, summary="Replay one delivery", dependencies=[OWNERS, WRITE],
             responses=problem_responses(401, 403, 404, 422))
async def replay_delivery(delivery: DeliveryDep, session: SessionDep, clock: ClockDep) -> DeliveryRead:
    """Send a delivery again now, with the same webhook-id and a fresh retry period (if its owner may still read it)."""
    await deliveries.replay_one(session, delivery, now=clock.now())
    read = views.delivery_read(delivery)
    await session.commit()
    return read
