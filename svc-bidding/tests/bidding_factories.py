"""Test data: tenders, bidders and sealed bids built through the public API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bianmin.bidding.sealing import BidSecret, seal
from bianmin.kit.identifiers import with_uscc_check
from bianmin.kit.identity import Principal
from bianmin.kit.subjects import Role, Subject

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DEADLINE = T0 + timedelta(days=20)
TENDERER = with_uscc_check("91330199MA0000999")
CLERK = Principal(key_id="clerk", tenant="*", scopes=frozenset({"bidding:write"}))
SUPERVISOR = Principal(key_id="super", tenant="*", scopes=frozenset({"bidding:supervise"}))


def account(kind: str, ident: str, *roles: str, site: str = "*", parties: tuple[str, ...] = (),
            second_factor: bool = True, scopes: frozenset[str] = frozenset({"admin"})) -> Principal:
    """A signed-in account ``ident`` of ``kind`` holding ``roles`` at ``site``, through the platform's own pages."""
    return Principal(key_id=f"pages-{ident}", tenant="*", scopes=scopes, subject=Subject(
        kind=kind, id=ident, name=ident, roles=tuple(Role(r, site) for r in roles), parties=frozenset(parties),
        second_factor=second_factor))


def enterprise(n: int) -> str:
    """The demo numbering's credit code of enterprise ``n``."""
    return with_uscc_check(f"91330199MA{n:07d}")


def bidder_key(n: int) -> Principal:
    """The API key of bidder app ``n``, bound by an operator to enterprise ``n``."""
    return Principal(key_id=f"bidder-{n}", tenant="*", scopes=frozenset({"bidding:bid", f"bidding:bidder:{enterprise(n)}"}))


def project_body(code: str = "BM-2026-001", **changes: Any) -> dict[str, Any]:
    """A valid open construction tender with one section."""
    body: dict[str, Any] = {
        "code": code, "name": "便民区文化中心改造工程", "category": "construction", "level": "district",
        "site_code": "330199", "tenderer_name": "便民区文化广电旅游体育局", "tenderer_credit_code": TENDERER,
        "budget": "1000000.00", "sections": [{"code": "S1", "name": "施工", "budget": "1000000.00",
                                              "bid_bond_amount": "20000.00"}],
        "bid_deadline": DEADLINE.isoformat(), "opening_at": DEADLINE.isoformat(),
    }
    body.update(changes)
    return body


def package(price: str, *, hashes: list[str] | None = None, manager: str = "王工") -> dict[str, Any]:
    """A bid package."""
    return {"price": price, "duration_days": 180, "project_manager": manager, "document_hashes": hashes or []}


async def register(client: httpx.AsyncClient, code: str, n: int, section: str = "S1",
                   phone: str | None = None) -> httpx.Response:
    """Register enterprise ``n`` (its client must speak as ``bidder_key(n)``), with a contact phone if given."""
    body = {"credit_code": enterprise(n), "name": f"便民区{n}号建设有限公司"}
    if phone is not None:
        body["contact_phone"] = phone
    return await client.post(f"/v1/projects/{code}/sections/{section}/registrations", json=body)


async def submit(client: httpx.AsyncClient, code: str, n: int, price: str, *, section: str = "S1",
                 headers: dict[str, str] | None = None, hashes: list[str] | None = None,
                 escrow: str | None = None, manager: str | None = None,
                 machine_code: str | None = None) -> tuple[httpx.Response, BidSecret]:
    """Seal and submit enterprise ``n``'s bid (its own project manager unless ``manager`` names one, and the bid
    tool's machine code if given); the response and the secret to reveal later."""
    sealed, secret = seal(package(price, hashes=hashes, manager=manager or f"项目经理{n}"), project=code,
                          section=section, bidder=enterprise(n), escrow_public_key=escrow)
    extra = {} if machine_code is None else {"machine_code": machine_code}
    response = await client.post(f"/v1/projects/{code}/sections/{section}/bids",
                                 json={"credit_code": enterprise(n), **sealed.as_request(), **extra}, headers=headers or {})
    return response, secret


async def sign_in(app: Any, code: str, n: int) -> None:
    """Enterprise ``n`` signs in to the running opening (a bidder decrypts only once signed in)."""
    from bianmin.testing.client import client_for

    async with client_for(app, bidder_key(n)) as bidder:
        signed = await bidder.post(f"/v1/projects/{code}/opening/sign-in", json={"credit_code": enterprise(n)})
        assert signed.status_code == 200, signed.text


async def open_tender(app: Any, clock: Any, code: str = "BM-2026-001", prices: dict[int, str] | None = None,
                      escrow: dict[str, Any] | None = None, signed_in: tuple[int, ...] | None = None,
                      **changes: Any) -> dict[int, tuple[str, BidSecret]]:
    """Publish a tender, secure deposits, seal bids, pass the deadline and start the opening; the bids by bidder.

    The bidders ``signed_in`` (every bidder when None) sign in to the opening. ``changes`` alter the
    tender's body (:func:`project_body`), e.g. its level and site.
    """
    from bianmin.testing.client import client_for

    prices = prices or {1: "900000.00", 2: "950000.00", 3: "870000.00"}
    async with client_for(app, CLERK) as clerk:
        created = await clerk.post("/v1/projects", json=project_body(code, **changes))
        assert created.status_code == 201, created.text
        public_key = None
        if escrow is not None:
            issued = await clerk.post(f"/v1/projects/{code}/escrow", json=escrow)
            assert issued.status_code == 200, issued.text
            escrow["issued"] = issued.json()
            public_key = issued.json()["public_key"]
        assert (await clerk.post(f"/v1/projects/{code}/publish")).status_code == 200
        for n in prices:
            assert (await clerk.post("/v1/deposits", json={
                "project_code": code, "section_code": "S1", "credit_code": enterprise(n), "amount": "20000.00",
                "account": f"62220000{n:04d}", "reference": f"{code}-TX{n}"})).status_code == 201
    bids: dict[int, tuple[str, BidSecret]] = {}
    for n, price in prices.items():
        async with client_for(app, bidder_key(n)) as bidder:
            assert (await register(bidder, code, n)).status_code == 201
            response, secret = await submit(bidder, code, n, price, escrow=public_key)
            assert response.status_code == 201, response.text
            bids[n] = (response.json()["bid_id"], secret)
    clock.at = max(clock.at, DEADLINE)
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{code}/close")).status_code == 200
        assert (await clerk.post(f"/v1/projects/{code}/opening/start")).json()["status"] == "opening"
    for n in prices if signed_in is None else signed_in:
        await sign_in(app, code, n)
    return bids


async def publicised_tender(app: Any, clock: Any, code: str = "BM-2026-001",
                            prices: dict[int, str] | None = None, **changes: Any) -> dict[int, tuple[str, BidSecret]]:
    """A lowest-price tender taken through the opening and evaluation to publicised candidates."""
    from bianmin.testing.client import client_for

    bids = await open_tender(app, clock, code, prices, **changes)
    for n, (bid_id, secret) in bids.items():
        async with client_for(app, bidder_key(n)) as bidder:
            revealed = await bidder.post(f"/v1/projects/{code}/bids/{bid_id}/reveal", json=secret.as_reveal())
            assert revealed.status_code == 200, revealed.text
    async with client_for(app, CLERK) as clerk:
        assert (await clerk.post(f"/v1/projects/{code}/opening/finish")).json()["status"] == "opened"
        clock.advance(timedelta(minutes=20))
        assert (await clerk.post(f"/v1/projects/{code}/evaluation/start")).status_code == 200
        assert (await clerk.post(f"/v1/projects/{code}/evaluation/publicise")).json()["status"] == "publicised"
    return bids


SECOND_DISTRICT = {"320583000": ("district", None, "*"), "320583011": ("township", "320583000", "320583011")}
"""A second, different district the demo registry does not hold: its hall and a township numbered above 010."""


async def add_second_district(app: Any) -> None:
    """Let the app hear of the second district's hall and township, as ``catalog.site.changed`` would tell it."""
    from bianmin.contracts.events.catalog import SiteChanged
    from bianmin.kit.site_registry import record_site

    async with app.state.db.sessionmaker() as session:
        for code, (level, parent, tenant) in SECOND_DISTRICT.items():
            await record_site(session, SiteChanged(code=code, name=f"第二区站点{code}", level=level, parent_code=parent,
                                                   tenant=tenant, updated_at=T0))
        await session.commit()
