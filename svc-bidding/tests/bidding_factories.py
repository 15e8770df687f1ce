"""Test data: tenders, bidders and sealed bids built through the public API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bianmin.bidding.sealing import BidSecret, seal
from bianmin.kit.identifiers import with_uscc_check
from bianmin.kit.identity import Principal

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DEADLINE = T0 + timedelta(days=20)
TENDERER = with_uscc_check("91330199MA0000999")
CLERK = Principal(key_id="clerk", tenant="*", scopes=frozenset({"bidding:write"}))
SUPERVISOR = Principal(key_id="super", tenant="*", scopes=frozenset({"bidding:supervise"}))


def enterprise(n: int) -> str:
    """The demo numbering's credit code of enterprise ``n``."""
    return with_uscc_check(f"91330199MA{n:07d}")


def bidder_key(n: int) -> Principal:
    """The API key of bidder app ``n``."""
    return Principal(key_id=f"bidder-{n}", tenant="*", scopes=frozenset({"bidding:bid"}))


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


def package(price: str, *, hashes: list[str] | None = None) -> dict[str, Any]:
    """A bid package."""
    return {"price": price, "duration_days": 180, "project_manager": "王工", "document_hashes": hashes or []}


async def register(client: httpx.AsyncClient, code: str, n: int, section: str = "S1") -> httpx.Response:
    """Register enterprise ``n`` (its client must speak as ``bidder_key(n)``)."""
    return await client.post(f"/v1/projects/{code}/sections/{section}/registrations",
                             json={"credit_code": enterprise(n), "name": f"便民区{n}号建设有限公司"})


async def submit(client: httpx.AsyncClient, code: str, n: int, price: str, *, section: str = "S1",
                 headers: dict[str, str] | None = None, hashes: list[str] | None = None,
                 escrow: str | None = None) -> tuple[httpx.Response, BidSecret]:
    """Seal and submit enterprise ``n``'s bid; the response and the secret to reveal later."""
    sealed, secret = seal(package(price, hashes=hashes), project=code, section=section, bidder=enterprise(n),
                          escrow_public_key=escrow)
    response = await client.post(f"/v1/projects/{code}/sections/{section}/bids",
                                 json={"credit_code": enterprise(n), **sealed.as_request()}, headers=headers or {})
    return response, secret
