"""In-process clients for a service app, speaking as a chosen principal through the identity header."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from bianmin.kit.identity import ANONYMOUS, IDENTITY_HEADER, Principal, audience_of, mint_token
from bianmin.kit.subjects import Role, Subject

TEST_SECRET = "test-internal-secret-not-for-production-0123456789"
DISTRICT_ADMIN = Principal(key_id="key-admin", tenant="*", scopes=frozenset({"admin"}), name="test admin")


def person(kind: str, *roles: str, site: str = "*", department: str | None = None, parties: tuple[str, ...] = (),
           second_factor: bool = True, name: str | None = None, tenant: str = "*",
           scopes: frozenset[str] = frozenset({"admin"})) -> Principal:
    """A principal with a subject acting: a ``kind`` holding ``roles`` at ``site``, through an app of ``tenant``/``scopes``.

    The app defaults to the platform's own pages (every scope, every site), so what is tested is the
    subject's kind, roles and sites; narrow the app to test what a third-party app may ask for.
    """
    ident = f"{kind}-{'-'.join(roles) or 'any'}-{site}"
    return Principal(key_id=f"app-of-{ident}", tenant=tenant, scopes=scopes, name=name, subject=Subject(
        kind=kind, id=f"acct-{ident}", name=name, roles=tuple(Role(r, site, department) for r in roles),
        parties=frozenset(parties), second_factor=second_factor))


def identity_headers(service: str, principal: Principal = DISTRICT_ADMIN, secret: str = TEST_SECRET) -> dict[str, str]:
    """Headers that make a request to ``service`` arrive as if the gateway had authenticated ``principal``."""
    return {IDENTITY_HEADER: mint_token(principal, secret, audience=audience_of(service))}


class PrincipalAuth(httpx.Auth):
    """Mints a fresh identity token for every request, as the gateway does."""

    def __init__(self, principal: Principal, secret: str, service: str) -> None:
        self.principal = principal
        self.secret = secret
        self.audience = audience_of(service)

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        """Add the identity header."""
        request.headers[IDENTITY_HEADER] = mint_token(self.principal, self.secret, audience=self.audience)
        yield request


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    """Run an app's lifespan (database, bus, workers) around a block."""
    async with app.router.lifespan_context(app):
        yield app


def client_for(app: FastAPI, principal: Principal | None = DISTRICT_ADMIN,
               secret: str = TEST_SECRET) -> httpx.AsyncClient:
    """An async client over ASGI that speaks as ``principal`` (None: no identity header at all)."""
    auth = PrincipalAuth(principal, secret, app.state.settings.service_name) if principal is not None else None
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://service.test",
                             auth=auth)


__all__ = ["ANONYMOUS", "DISTRICT_ADMIN", "TEST_SECRET", "client_for", "identity_headers", "person", "running"]
