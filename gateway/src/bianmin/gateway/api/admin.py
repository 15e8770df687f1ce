"""``/admin/v1/keys`` and ``/admin/v1/clients``: issue, list, change and revoke credentials (scope ``admin``).

A district-wide admin manages every tenant's credentials; a township admin only its own tenant's,
and cannot issue a district-wide one. A key grants only what it holds, and party scopes (an
enterprise's or an issuer's) only a district operator grants (``credentials.ensure_may_grant``). Creation is deliberately not replayable by
``Idempotency-Key``: a replay would have to store the clear secret to show it again, which is the
one thing the gateway never stores. A client that lost the answer revokes and creates anew.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request

from bianmin.gateway.auth import AdminDep
from bianmin.gateway.domain import credentials
from bianmin.gateway.models import ApiKey, OAuthClient
from bianmin.gateway.schemas import (
    ClientCreate,
    ClientCreated,
    ClientPage,
    ClientRead,
    CredentialUpdate,
    KeyCreate,
    KeyCreated,
    KeyPage,
    KeyRead,
)
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.identity import Principal
from bianmin.kit.pagination import PageDep, encode_cursor

router = APIRouter(prefix="/admin/v1", tags=["admin"])
ERRORS = problem_responses(401, 403, 429)
ONE_ERRORS = problem_responses(401, 403, 404, 429)


def _scope(principal: Principal) -> str | None:
    """The tenant an admin is confined to, or None for a district-wide admin."""
    return None if principal.district_wide else principal.tenant


def _now() -> datetime:
    return datetime.now(UTC)


@router.post("/keys", status_code=201, summary="Create an API key", responses=problem_responses(401, 403, 422, 429))
async def create_key(body: KeyCreate, session: SessionDep, admin: AdminDep) -> KeyCreated:
    """Issue an API key; the answer carries the key in clear, the only time it is ever shown."""
    credentials.ensure_may_grant(admin, tenant=body.tenant, scopes=body.scopes)
    issued = await credentials.create_key(session, name=body.name, tenant=body.tenant, scopes=body.scopes,
                                          rate_limit=body.rate_limit, now=_now())
    await session.commit()
    return KeyCreated(**KeyRead.model_validate(issued.record).model_dump(), key=issued.key)


@router.get("/keys", summary="List API keys", responses=ERRORS)
async def list_keys(session: SessionDep, admin: AdminDep, paging: PageDep) -> KeyPage:
    """The API keys this admin manages, oldest first, revoked ones included, secrets never."""
    rows, last = await credentials.page(session, ApiKey, limit=paging.limit, after=paging.after, tenant=_scope(admin))
    return KeyPage(items=[KeyRead.model_validate(r) for r in rows], next_cursor=encode_cursor(last) if last else None)


@router.get("/keys/{key_id}", summary="Read an API key", responses=ONE_ERRORS)
async def read_key(key_id: str, session: SessionDep, admin: AdminDep) -> KeyRead:
    """One API key, without its secret."""
    return KeyRead.model_validate(await credentials.get(session, ApiKey, key_id, tenant=_scope(admin)))


@router.patch("/keys/{key_id}", summary="Rename an API key or change its rate limit",
              responses=problem_responses(401, 403, 404, 422, 429))
async def update_key(key_id: str, body: CredentialUpdate, request: Request, session: SessionDep, admin: AdminDep) -> KeyRead:
    """Change a key's name or its own rate limit (``null`` returns it to the default)."""
    record = await credentials.get(session, ApiKey, key_id, tenant=_scope(admin))
    _apply(record, body)
    await session.commit()
    request.app.state.auth_cache.forget(key_id)
    return KeyRead.model_validate(record)


@router.post("/keys/{key_id}/revoke", summary="Revoke an API key", responses=ONE_ERRORS)
async def revoke_key(key_id: str, request: Request, session: SessionDep, admin: AdminDep) -> KeyRead:
    """Revoke a key for good; it answers 401 from now on (other replicas within the auth cache's seconds)."""
    record = await credentials.revoke(session, await credentials.get(session, ApiKey, key_id, tenant=_scope(admin)),
                                      now=_now())
    await session.commit()
    request.app.state.auth_cache.forget(key_id)
    return KeyRead.model_validate(record)


@router.post("/clients", status_code=201, summary="Create an OAuth2 client",
             responses=problem_responses(401, 403, 422, 429))
async def create_client(body: ClientCreate, session: SessionDep, admin: AdminDep) -> ClientCreated:
    """Register a client of the client-credentials grant; the answer carries its secret, shown this once."""
    credentials.ensure_may_grant(admin, tenant=body.tenant, scopes=body.scopes)
    issued = await credentials.create_client(session, name=body.name, tenant=body.tenant, scopes=body.scopes,
                                             rate_limit=body.rate_limit, now=_now())
    await session.commit()
    return ClientCreated(**ClientRead.model_validate(issued.record).model_dump(), client_secret=issued.secret)


@router.get("/clients", summary="List OAuth2 clients", responses=ERRORS)
async def list_clients(session: SessionDep, admin: AdminDep, paging: PageDep) -> ClientPage:
    """The OAuth2 clients this admin manages, oldest first, revoked ones included, secrets never."""
    rows, last = await credentials.page(session, OAuthClient, limit=paging.limit, after=paging.after,
                                        tenant=_scope(admin))
    return ClientPage(items=[ClientRead.model_validate(r) for r in rows],
                      next_cursor=encode_cursor(last) if last else None)


@router.get("/clients/{client_id}", summary="Read an OAuth2 client", responses=ONE_ERRORS)
async def read_client(client_id: str, session: SessionDep, admin: AdminDep) -> ClientRead:
    """One OAuth2 client, without its secret."""
    return ClientRead.model_validate(await credentials.get(session, OAuthClient, client_id, tenant=_scope(admin)))


@router.patch("/clients/{client_id}", summary="Rename an OAuth2 client or change its rate limit",
              responses=problem_responses(401, 403, 404, 422, 429))
async def update_client(client_id: str, body: CredentialUpdate, request: Request, session: SessionDep,
                        admin: AdminDep) -> ClientRead:
    """Change a client's name or its own rate limit (``null`` returns it to the default)."""
    record = await credentials.get(session, OAuthClient, client_id, tenant=_scope(admin))
    _apply(record, body)
    await session.commit()
    request.app.state.auth_cache.forget(client_id)
    return ClientRead.model_validate(record)


@router.post("/clients/{client_id}/revoke", summary="Revoke an OAuth2 client", responses=ONE_ERRORS)
async def revoke_client(client_id: str, request: Request, session: SessionDep, admin: AdminDep) -> ClientRead:
    """Revoke a client: it gets no new tokens, and the tokens it holds stop working."""
    record = await credentials.get(session, OAuthClient, client_id, tenant=_scope(admin))
    await credentials.revoke(session, record, now=_now())
    await session.commit()
    request.app.state.auth_cache.forget(client_id)
    return ClientRead.model_validate(record)


def _apply(record: ApiKey | OAuthClient, body: CredentialUpdate) -> None:
    if body.name is not None:
        record.name = body.name
    if "rate_limit" in body.model_fields_set:
        record.rate_limit = body.rate_limit
