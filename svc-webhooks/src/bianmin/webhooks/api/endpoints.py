"""``/v1/endpoints``: register, read, change, delete, rotate the secret, test and replay."""

from __future__ import annotations

from fastapi import APIRouter

from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.pagination import Page, PageDep
from bianmin.webhooks.api import views
from bianmin.webhooks.api.deps import OWNERS, READ, WRITE, BoxDep, EndpointDep, LockedEndpointDep, ReadEndpointDep, SettingsDep
from bianmin.webhooks.domain import deliveries, endpoints
from bianmin.webhooks.schemas import (
    DeliveryRead,
    EndpointCreate,
    EndpointRead,
    EndpointUpdate,
    EndpointWithSecret,
    ReplayRange,
    ReplayResult,
    SecretRead,
)

router = APIRouter(tags=["endpoints"])


@router.post("/endpoints", status_code=201, summary="Register an endpoint", dependencies=[OWNERS, WRITE],
             responses=problem_responses(401, 403, 422, 503))
async def create_endpoint(body: EndpointCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                          clock: ClockDep, box: BoxDep, settings: SettingsDep) -> EndpointWithSecret:
    """Register an endpoint for the key's tenant; the answer carries its signing secret, shown this once."""
    endpoint, secret = await endpoints.create(session, body, by=who, box=box, now=clock.now(),
                                              allowed=settings.allowed_networks)
    # The stored replay answer leaves the secret out: it would otherwise sit in clear in the database.
    await idem.finish(session, views.endpoint_with_secret(endpoint, None))
    return views.endpoint_with_secret(endpoint, secret)


@router.get("/endpoints", summary="List endpoints", dependencies=[OWNERS, READ], responses=problem_responses(401, 403, 422))
async def list_endpoints(session: ReadSessionDep, who: PrincipalDep, page: PageDep) -> Page[EndpointRead]:
    """The endpoints the key manages (its township's; for a district-wide key, those it registered), oldest first."""
    rows, next_cursor = await endpoints.listing(session, page, by=who)
    return views.endpoint_page(rows, next_cursor)


@router.get("/endpoints/{endpoint_id}", summary="Read an endpoint", dependencies=[OWNERS, READ],
            responses=problem_responses(401, 403, 404, 422))
async def get_endpoint(endpoint: ReadEndpointDep) -> EndpointRead:
    """One endpoint the key manages, with its status and owner; never its secret."""
    return views.endpoint_read(endpoint)


@router.patch("/endpoints/{endpoint_id}", summary="Change an endpoint", dependencies=[OWNERS, WRITE],
              responses=problem_responses(401, 403, 404, 422))
async def update_endpoint(endpoint: LockedEndpointDep, body: EndpointUpdate, session: SessionDep, who: PrincipalDep,
                          clock: ClockDep, settings: SettingsDep) -> EndpointRead:
    """Change the URL, patterns, filters or description; ``enabled`` pauses it or enables a disabled one.

    The key that saves the endpoint becomes its owner: it receives events with that key's authority from now on.
    """
    await endpoints.update(session, endpoint, body, by=who, now=clock.now(), allowed=settings.allowed_networks)
    read = views.endpoint_read(endpoint)
    await session.commit()
    return read


@router.delete("/endpoints/{endpoint_id}", status_code=204, summary="Delete an endpoint", dependencies=[OWNERS, WRITE],
               responses=problem_responses(401, 403, 404, 422))
async def delete_endpoint(endpoint: LockedEndpointDep, session: SessionDep) -> None:
    """Delete an endpoint with its delivery log; nothing more is sent to it."""
    await endpoints.delete(session, endpoint)
    await session.commit()


@router.post("/endpoints/{endpoint_id}/rotate-secret", summary="Rotate the secret", dependencies=[OWNERS, WRITE],
             responses=problem_responses(401, 403, 404, 422, 503))
async def rotate_secret(endpoint: LockedEndpointDep, session: SessionDep, clock: ClockDep, box: BoxDep,
                        settings: SettingsDep) -> SecretRead:
    """A new secret, shown this once; the old one still signs beside it until ``previous_valid_until``."""
    overlap = settings.secret_overlap_seconds
    secret = await endpoints.rotate_secret(endpoint, box=box, now=clock.now(), overlap_seconds=overlap)
    await session.commit()
    return views.secret_read(endpoint, secret)


@router.post("/endpoints/{endpoint_id}/test", status_code=202, summary="Send a test event", dependencies=[OWNERS, WRITE],
             responses=problem_responses(401, 403, 404, 409, 422))
async def test_endpoint(endpoint: EndpointDep, session: SessionDep, who: PrincipalDep, clock: ClockDep,
                        idem: IdempotencyDep) -> DeliveryRead:
    """Queue a ``webhooks.test`` ping that goes out like any event (signed, retried, logged)."""
    delivery = await deliveries.enqueue_test(session, endpoint, now=clock.now(), by=who)
    return await idem.finish(session, views.delivery_read(delivery))


@router.post("/endpoints/{endpoint_id}/replay", status_code=202, summary="Replay a time range", dependencies=[OWNERS, WRITE],
             responses=problem_responses(401, 403, 404, 422))
async def replay_range(endpoint: LockedEndpointDep, body: ReplayRange, session: SessionDep,
                       clock: ClockDep) -> ReplayResult:
    """Send again every delivery of this endpoint created in ``[from, to)``, each with its own webhook-id.

    Each goes out only if the endpoint's owner may still read it (checked again when it is sent).
    """
    queued = await deliveries.replay_range(session, endpoint, start=body.start, end=body.end, now=clock.now())
    await session.commit()
    return ReplayResult(endpoint_id=endpoint.id, queued=queued)
