"""``Idempotency-Key`` for POST routes that create things.

The stored answer is written in the same transaction as the change it answers for, so a client
that retries after a crash (of the service, the gateway, or the network in between) either finds
the change and its answer or finds neither. A replay returns the first answer with
``Idempotent-Replayed: true``; the same key with a different body is 422. Keys belong to the
principal that used them and are kept for ``RETENTION``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import and_, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.kit.db import SessionDep
from bianmin.kit.errors import DomainError, Unprocessable
from bianmin.kit.identity import PrincipalDep
from bianmin.kit.tables import idempotency_record

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 200
M = TypeVar("M", bound=BaseModel)


class IdempotentReplay(DomainError):
    """Carries a stored answer out of the dependency so the handler never runs again."""

    def __init__(self, status_code: int, body: str) -> None:
        super().__init__("replay")
        self.status_code = status_code
        self.body = body

    def response(self) -> Response:
        """The stored answer, marked as a replay."""
        return Response(self.body, status_code=self.status_code, media_type="application/json",
                        headers={"Idempotent-Replayed": "true"})


@dataclass
class Idempotency:
    """The idempotency context of one request; ``finish`` commits the change with its answer."""

    key: str | None
    owner: str
    method: str
    path: str
    request_hash: str
    response: Response
    status_code: int

    async def finish(self, session: AsyncSession, result: M, *, status_code: int | None = None) -> M:
        """Store the answer beside the change, commit both, and return the answer for the route to send.

        The status is the route's declared one, unless ``status_code`` says otherwise for this answer
        (an upsert that found the row answers 200 where its route declares 201); a replay answers
        with the same status. Returning the model lets every route declare its real response type.
        """
        if status_code is not None:
            self.status_code = self.response.status_code = status_code
        body = result.model_dump_json()
        try:
            if self.key is not None:
                # On PostgreSQL a concurrent request with the same key blocks here until the first
                # commits, then fails; on SQLite the write lock serialises them before this point.
                await session.execute(insert(idempotency_record).values(
                    owner=self.owner, key=self.key, method=self.method, path=self.path,
                    request_hash=self.request_hash, status_code=self.status_code, response_body=body,
                    created_at=datetime.now(UTC),
                ))
            await session.commit()
        except IntegrityError:
            await session.rollback()
            stored = await self._stored(session)
            if stored is None:
                raise
            self._raise_replay(stored)
        return result

    async def _stored(self, session: AsyncSession) -> tuple[str, int, str] | None:
        row = (await session.execute(
            select(idempotency_record.c.request_hash, idempotency_record.c.status_code,
                   idempotency_record.c.response_body)
            .where(and_(idempotency_record.c.owner == self.owner, idempotency_record.c.key == self.key))
        )).first()
        return None if row is None else (row[0], row[1], row[2])

    def _raise_replay(self, stored: tuple[str, int, str]) -> None:
        request_hash, status_code, body = stored
        if request_hash != self.request_hash:
            raise Unprocessable("This Idempotency-Key was used with a different request.",
                                code="idempotency_key_reused")
        raise IdempotentReplay(status_code, body)


async def idempotency(request: Request, response: Response, session: SessionDep, principal: PrincipalDep) -> Idempotency:
    """Read the key; answer a replay from the store before the handler runs."""
    key = request.headers.get(HEADER)
    if key is not None and not (0 < len(key) <= MAX_KEY_LENGTH):
        raise Unprocessable.field(HEADER, f"must be 1 to {MAX_KEY_LENGTH} characters")
    body = await request.body()
    digest = hashlib.sha256(request.method.encode() + b" " + request.url.path.encode() + b"\n" + body).hexdigest()
    route = request.scope.get("route")
    context = Idempotency(key=key, owner=principal.key_id or "anonymous", method=request.method,
                          path=request.url.path, request_hash=digest, response=response,
                          status_code=getattr(route, "status_code", None) or 200)
    if key is not None:
        # The look-up opens the request's transaction and the handler carries on in it: on SQLite
        # a rollback here would give up the write lock only to queue for it again behind every
        # request that arrived meanwhile, doubling the wait of each POST under load.
        stored = await context._stored(session)
        if stored is not None:
            await session.rollback()
            context._raise_replay(stored)
    return context


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]
