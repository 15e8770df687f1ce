"""The delivery log: an endpoint's deliveries, one delivery with its attempts, and its replay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.pagination import Page, PageDep, encode_cursor
from bianmin.webhooks.api.deps import READ, WRITE, DeliveryDep, EndpointDep, cursor_int
from bianmin.webhooks.domain import deliveries
from bianmin.webhooks.domain.errors import DeliveryNotFound
from bianmin.webhooks.schemas import AttemptRead, DeliveryDetail, DeliveryRead, DeliveryStatus

router = APIRouter(tags=["deliveries"])
TypeFilter = Annotated[str | None, Query(max_length=200, pattern=r"^[a-z0-9_.]+$",
                                         description="Only this CloudEvents type, e.g. `bianmin.bidding.project.awarded.v1`.")]


@router.get("/endpoints/{endpoint_id}/deliveries", summary="An endpoint's deliveries", dependencies=[READ],
            responses=problem_responses(401, 403, 404, 422))
async def list_deliveries(endpoint: EndpointDep, session: SessionDep, page: PageDep,
                          status: DeliveryStatus | None = None, event_type: TypeFilter = None) -> Page[DeliveryRead]:
    """The deliveries of one endpoint, newest first, optionally of one status or event type."""
    rows = await deliveries.listing(session, endpoint.id, status=status, event_type=event_type,
                                    before=cursor_int(page.after), limit=page.limit)
    items = [DeliveryRead.model_validate(row) for row in rows]
    return Page(items=items, next_cursor=encode_cursor([rows[-1].id]) if len(rows) == page.limit else None)


@router.get("/deliveries/{delivery_id}", summary="A delivery and its attempts", dependencies=[READ],
            responses=problem_responses(401, 403, 404, 422))
async def get_delivery(delivery: DeliveryDep, session: SessionDep, who: PrincipalDep) -> DeliveryDetail:
    """One delivery with the body it sends and every attempt (status code, latency, error, time).

    404 as well when the caller could not read the event itself through the publishing service's API:
    another key of the township manages the endpoint but may hold fewer scopes than its owner.
    """
    if not deliveries.may_see_body(who, delivery):
        raise DeliveryNotFound(delivery.id)
    log = [AttemptRead.model_validate(a) for a in await deliveries.attempts_of(session, delivery.id)]
    return DeliveryDetail(**DeliveryRead.model_validate(delivery).model_dump(), body=delivery.body, attempt_log=log)


@router.post("/deliveries/{delivery_id}/replay", status_code=202, summary="Replay one delivery", dependencies=[WRITE],
             responses=problem_responses(401, 403, 404, 422))
async def replay_delivery(delivery: DeliveryDep, session: SessionDep, clock: ClockDep) -> DeliveryRead:
    """Send a delivery again now, with the same webhook-id and a fresh retry period (if its owner may still read it)."""
    await deliveries.replay_one(session, delivery, now=clock.now())
    read = DeliveryRead.model_validate(delivery)
    await session.commit()
    return read
