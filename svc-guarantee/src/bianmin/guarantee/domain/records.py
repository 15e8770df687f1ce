"""What every step of a guarantee's life writes besides its state: the step, the event, the push.

Each change records a :class:`GuaranteeStep` (who, when, from which state), emits its event through
the outbox, and, for issued and released guarantees, queues a delivery to the provincial platform,
all in the caller's transaction.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.events.guarantee import GuaranteeStatusChanged
from bianmin.guarantee.models import Delivery, Guarantee, GuaranteeStep
from bianmin.kit.events.outbox import emit
from bianmin.kit.identity import Principal


def actor_of(principal: Principal) -> str:
    """How a principal is recorded in a step: its key id and name."""
    key = principal.key_id or "anonymous"
    return f"{key} ({principal.name})" if principal.name else key


async def step(session: AsyncSession, guarantee: Guarantee, *, action: str, to: str, actor: str, now: datetime,
               **detail: Any) -> GuaranteeStep:
    """Move a guarantee to ``to`` and record the step."""
    row = GuaranteeStep(guarantee_id=guarantee.id, action=action, from_status=guarantee.status if action != "applied"
                        else None, to_status=to, actor=actor, at=now, detail=detail)
    guarantee.status = to
    guarantee.updated_at = now
    session.add(row)
    await session.flush()
    return row


def status_payload(guarantee: Guarantee, now: datetime) -> dict[str, Any]:
    """The fields every guarantee event carries."""
    return {"number": guarantee.number, "type": guarantee.type, "project_code": guarantee.project_code,
            "section_code": guarantee.section_code, "applicant_credit_code": guarantee.applicant_credit_code,
            "issuer_code": guarantee.issuer_code, "amount": guarantee.amount, "currency": guarantee.currency,
            "expires_on": guarantee.expires_on, "occurred_at": now}


async def publish(session: AsyncSession, subject: str, guarantee: Guarantee, now: datetime,
                  payload: GuaranteeStatusChanged | None = None) -> None:
    """Emit a guarantee event through the outbox (tenant: the project's site)."""
    await emit(session, subject, payload or GuaranteeStatusChanged(**status_payload(guarantee, now)),
               tenant=guarantee.site_code, about=guarantee.number)


async def queue_delivery(session: AsyncSession, guarantee: Guarantee, kind: str, now: datetime) -> Delivery:
    """Queue the push of an issued or released guarantee to the provincial platform."""
    body = {"kind": kind, "number": guarantee.number, "status": guarantee.status, "at": now.isoformat(),
            "document": json.loads(guarantee.document) if guarantee.document else None,
            "document_hash": guarantee.document_hash, "signature": guarantee.signature,
            "key_name": guarantee.key_name, "leaf_index": guarantee.leaf_index}
    delivery = Delivery(guarantee_number=guarantee.number, kind=kind,
                        body=json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
                        signature=None, status="pending", attempts=0, next_attempt_at=now, created_at=now)
    session.add(delivery)
    await session.flush()
    return delivery
