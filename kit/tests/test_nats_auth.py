"""NATS admits only the platform's services, each with its own NKEY and the permissions its contracts give.

A real nats-server runs with the configuration that ``make run``, the private platform and the
deployment files use (:func:`bianmin.kit.events.access.authorization_config`). Issue 17 finding 3:
before it, anyone who reached NATS could publish a forged ``guarantee.guarantee.issued`` that bidding
applied. Here a connection without credentials is refused, credit cannot publish guarantee's subject
(a permissions violation, and the forged event is stored nowhere and handled by no consumer), and a
legitimate flow through the kit's outbox relay, consumer and dead-letter stream still works.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import nats
import pytest
from fastapi import APIRouter, FastAPI
from nats.aio.client import Client
from nats.js.errors import NotFoundError
from pydantic import BaseModel

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.guarantee import GuaranteeStatusChanged
from bianmin.contracts.registry import SERVICES, consumed_by, dead_letter_subject, durable_name, published_by
from bianmin.kit.app import ServiceSpec, create_service_app
from bianmin.kit.db import SessionDep
from bianmin.kit.events import emit
from bianmin.kit.events.access import (
    NATS_USERS,
    OPS_USER,
    authorization_config,
    inbox_prefix,
    new_seed,
    public_key,
    service_permissions,
)
from bianmin.kit.events.consumer import EventContext, Handler
from bianmin.kit.events.streams import ensure_streams
from bianmin.kit.settings import ServiceSettings
from bianmin.testing.client import TEST_SECRET, client_for, running
from bianmin.testing.events import envelope, eventually
from bianmin.testing.nats import NatsServer

pytestmark = pytest.mark.nats
FORGED = "G-FORGED-0001"
GENUINE = "G-GENUINE-0001"


def issued(number: str) -> GuaranteeStatusChanged:
    return GuaranteeStatusChanged(
        number=number, type="bid_bond", project_code="P-2026-001", section_code="S1",
        applicant_credit_code="91330199MA0000001X", issuer_code="PICC", amount=Decimal("50000.00"),
        expires_on=date(2026, 12, 31), occurred_at=datetime(2026, 6, 1, tzinfo=UTC))


@pytest.fixture
def secured(tmp_path: Path) -> Iterator[NatsServer]:
    """A nats-server that knows the platform's users only, by NKEY, with their permissions."""
    server = NatsServer(tmp_path / "nats", seeds={user: new_seed() for user in NATS_USERS}).start()
    yield server
    server.stop()


class Connection:
    """A client connected as one user, remembering the errors the server sent it."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.nc: Client | None = None

    async def on_error(self, exc: Exception) -> None:
        self.errors.append(str(exc))


@pytest.fixture
async def connect(secured: NatsServer) -> AsyncIterator[Callable[[str], object]]:
    opened: list[Connection] = []

    async def as_user(user: str) -> Connection:
        connection = Connection()
        connection.nc = await nats.connect(secured.url, nkeys_seed_str=secured.seed(user), inbox_prefix=inbox_prefix(user),
                                           allow_reconnect=False, error_cb=connection.on_error)
        opened.append(connection)
        return connection

    yield as_user
    for connection in opened:
        if connection.nc is not None and not connection.nc.is_closed:
            await connection.nc.close()


def _violations(connection: Connection) -> list[str]:
    return [e for e in connection.errors if "permissions violation" in e.lower()]


# --- the permissions follow the contracts -----------------------------------------------------------------------

@pytest.mark.parametrize("service", SERVICES)
def test_a_service_may_publish_only_its_own_subjects_and_read_only_what_it_consumes(service: str) -> None:
    permissions = service_permissions(service)
    events = [s for s in permissions.publish if not s.startswith(("$JS.", "dlq."))]
    assert sorted(events) == sorted({spec.subject for spec in published_by(service)})
    consumed = {spec.subject.split(".")[0].upper() for spec in consumed_by(service)}
    assert sorted(s for s in permissions.publish if s.startswith("dlq.")) == sorted(
        dead_letter_subject(service, stream) for stream in consumed)
    for stream in consumed:
        assert f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable_name(service, stream)}" in permissions.publish
        assert f"$JS.ACK.{stream}.{durable_name(service, stream)}.>" in permissions.publish
    # No wildcard over the JetStream API or over other services' inboxes: nothing to delete, purge or sniff.
    assert not [s for s in permissions.publish if s.startswith("$JS.API") and (">" in s or "*" in s)
                and ".CONSUMER.CREATE." not in s]
    assert permissions.subscribe == (f"{inbox_prefix(service)}.>",)


def test_the_configuration_names_every_user_by_its_public_key_only() -> None:
    seeds = {user: new_seed() for user in NATS_USERS}
    config = authorization_config({user: public_key(seed) for user, seed in seeds.items()})
    for user, seed in seeds.items():
        assert public_key(seed) in config, user
        assert seed not in config
    assert "no_auth_user" not in config


# --- against a real nats-server -----------------------------------------------------------------------------------

async def test_a_connection_without_credentials_or_with_an_unknown_key_is_refused(secured: NatsServer) -> None:
    with pytest.raises(nats.errors.Error):
        await nats.connect(secured.url, allow_reconnect=False, connect_timeout=2)
    with pytest.raises(nats.errors.Error):
        await nats.connect(secured.url, nkeys_seed_str=new_seed(), allow_reconnect=False, connect_timeout=2)


async def test_a_service_cannot_publish_on_another_services_subject(connect: Callable, secured: NatsServer) -> None:
    guarantee = await connect("guarantee")
    await ensure_streams(guarantee.nc.jetstream(), ["GUARANTEE", "DLQ"])
    credit = await connect("credit")
    forged = envelope("guarantee.guarantee.issued", issued(FORGED))
    with pytest.raises(nats.errors.Error):
        await credit.nc.jetstream().publish("guarantee.guarantee.issued", forged.model_dump_json().encode(),
                                            headers={"Nats-Msg-Id": forged.id}, timeout=1)
    await credit.nc.publish("guarantee.guarantee.issued", forged.model_dump_json().encode())  # core NATS, no ack
    await credit.nc.flush()

    async def refused() -> bool:
        return len(_violations(credit)) >= 2

    await eventually(refused, timeout=5)
    assert all('"guarantee.guarantee.issued"' in v for v in _violations(credit))
    assert (await guarantee.nc.jetstream().stream_info("GUARANTEE")).state.messages == 0


async def test_a_service_cannot_read_delete_or_purge_what_is_not_its_own(connect: Callable, secured: NatsServer) -> None:
    bidding = await connect("bidding")
    await ensure_streams(bidding.nc.jetstream(), ["BIDDING", "DLQ"])
    catalog = await connect("catalog")
    js = catalog.nc.jetstream(timeout=1)
    await catalog.nc.subscribe("bidding.>")
    await catalog.nc.subscribe("_INBOX_bidding.>")
    await catalog.nc.flush()
    for attempt in (js.add_consumer("BIDDING", durable_name="catalog__bidding"), js.delete_stream("BIDDING"),
                    js.purge_stream("BIDDING"), js.add_stream(name="SNIFF", subjects=["bidding.>"])):
        with pytest.raises(nats.errors.Error):
            await attempt

    async def refused() -> bool:
        return len(_violations(catalog)) >= 6

    await eventually(refused, timeout=5)
    assert (await bidding.nc.jetstream().stream_info("BIDDING")).config.name == "BIDDING"
    ops = await connect(OPS_USER)
    with pytest.raises(NotFoundError):
        await ops.nc.jetstream().stream_info("SNIFF")


# --- the kit's bus under these permissions ------------------------------------------------------------------------

router = APIRouter()


@router.post("/guarantees/{number}", status_code=204)
async def issue(number: str, session: SessionDep) -> None:
    """Issue a guarantee as the guarantee service would: its event goes through the outbox."""
    await emit(session, "guarantee.guarantee.issued", issued(number), about=number)
    await session.commit()


@pytest.fixture
def apps(secured: NatsServer, kit_sqlite: Callable[[str], str]) -> tuple[FastAPI, FastAPI, list[str]]:
    seen: list[str] = []

    async def secure_deposit(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
        assert isinstance(payload, GuaranteeStatusChanged)
        seen.append(payload.number)

    def settings(name: str) -> ServiceSettings:
        return ServiceSettings(service_name=name, database_url=kit_sqlite(name), internal_secret=TEST_SECRET,
                               nats_url=secured.url, nats_nkey_seed=secured.seed(name), relay_poll_seconds=0.2)

    guarantee = create_service_app(ServiceSpec(name="guarantee", title="g", description="g", routers=[router]),
                                   settings("guarantee"))
    bidding = create_service_app(ServiceSpec(name="bidding", title="b", description="b",
                                             handlers=[Handler("guarantee.guarantee.issued", secure_deposit)]),
                                 settings("bidding"))
    return guarantee, bidding, seen


async def test_a_forged_event_never_reaches_the_consumer_and_a_genuine_one_does(
        apps: tuple[FastAPI, FastAPI, list[str]], connect: Callable) -> None:
    guarantee, bidding, seen = apps
    async with running(guarantee), running(bidding), client_for(guarantee) as client:
        async def bound() -> bool:
            return bool(bidding.state.bus.consumers) and guarantee.state.bus.connected

        await eventually(bound)
        credit = await connect("credit")
        forged = envelope("guarantee.guarantee.issued", issued(FORGED))
        with pytest.raises(nats.errors.Error):
            await credit.nc.jetstream().publish("guarantee.guarantee.issued", forged.model_dump_json().encode(),
                                                headers={"Nats-Msg-Id": forged.id}, timeout=1)
        assert (await client.post(f"/v1/guarantees/{GENUINE}")).status_code == 204

        async def delivered() -> bool:
            return seen == [GENUINE]

        await eventually(delivered)
        assert (await client.get("/readyz")).json()["checks"]["nats"] == "ok"
    assert _violations(credit)
    ops = await connect(OPS_USER)
    stream = await ops.nc.jetstream().stream_info("GUARANTEE")
    assert stream.state.messages == 1, "the forged event must be stored nowhere"


async def test_a_poison_event_is_dead_lettered_under_the_consumers_permissions(
        apps: tuple[FastAPI, FastAPI, list[str]], connect: Callable) -> None:
    guarantee, bidding, seen = apps
    async with running(guarantee), running(bidding):
        async def bound() -> bool:
            return bool(bidding.state.bus.consumers) and guarantee.state.bus.connected

        await eventually(bound)
        publisher = await connect("guarantee")
        await publisher.nc.jetstream().publish("guarantee.guarantee.issued", b"not an event",
                                               headers={"Nats-Msg-Id": "poison-1"}, timeout=2)
        ops = await connect(OPS_USER)

        async def parked() -> bool:
            try:
                return (await ops.nc.jetstream().stream_info("DLQ")).state.messages == 1
            except NotFoundError:
                return False

        await eventually(parked)
    message = await ops.nc.jetstream().get_last_msg("DLQ", dead_letter_subject("bidding", "GUARANTEE"))
    assert message.data == b"not an event"
    assert seen == []


async def test_a_service_refuses_to_start_with_a_placeholder_nkey_seed(tmp_path: Path) -> None:
    settings = ServiceSettings(service_name="credit", database_url=f"sqlite+aiosqlite:///{tmp_path / 'credit.db'}",
                               internal_secret=TEST_SECRET,
                               nats_nkey_seed="replace-with-the-seed-of-credit")
    app = create_service_app(ServiceSpec(name="credit", title="c", description="c"), settings)
    with pytest.raises(RuntimeError, match="NATS_NKEY_SEED"):
        async with running(app):
            pass
