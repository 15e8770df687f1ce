"""Importing a hall's finished tickets from its previous queue system (``queue:manage``)."""

from __future__ import annotations

from fastapi import APIRouter

from bianmin.kit.clock import ClockDep
from bianmin.kit.db import SessionDep
from bianmin.kit.errors import problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, require_scopes
from bianmin.queue.api.deps import CONFIGURING, MANAGER, hall_for
from bianmin.queue.domain.imports import PastTicket, import_tickets
from bianmin.queue.schemas import TicketImport, TicketImportRead

router = APIRouter(tags=["tickets"])


@router.post("/halls/{code}/ticket-imports", status_code=201, summary="Import past tickets",
             dependencies=[require_scopes("queue:manage"), CONFIGURING], responses=problem_responses(401, 403, 404, 409, 422))
async def import_past(code: str, body: TicketImport, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                      clock: ClockDep) -> TicketImportRead:
    """Store finished tickets of the hall's previous queue system so that its history and figures carry over."""
    hall = await hall_for(session, who, code, MANAGER)
    count = await import_tickets(session, hall=hall, records=[PastTicket(**t.model_dump()) for t in body.tickets],
                                 now=clock.now())
    return await idem.finish(session, TicketImportRead(imported=count))
