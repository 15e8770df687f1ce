"""What the bidding service publishes (through the outbox) and how it reacts to what it consumes.

Consumed:
- ``guarantee.guarantee.issued`` / ``released`` (bid bonds only) → the deposit read model: a
  guarantee secures the applicant's deposit for its section until it is released; the deposit list is part
  of the archive, so a change to an archived project's deposits is a new signed archive version.
- ``credit.enterprise.color_changed`` → the eligibility read model (``barred_colors``); an older
  change arriving after a newer one is ignored.
- ``catalog.calendar.changed`` → the working-day calendar (complaint deadlines).
"""

from pydantic import BaseModel

from bianmin.bidding.domain import archiving
from bianmin.bidding.domain.bidders import set_color, upsert_deposit
from bianmin.bidding.settings import BiddingSettings
from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.credit import ColorChanged
from bianmin.contracts.events.guarantee import GuaranteeStatusChanged
from bianmin.kit.calendar import CALENDAR_HANDLERS
from bianmin.kit.events.consumer import EventContext, Handler
from bianmin.kit.site_registry import SITE_HANDLER


async def _guarantee(ctx: EventContext, event: CloudEvent, payload: BaseModel, status: str) -> None:
    assert isinstance(payload, GuaranteeStatusChanged)
    if payload.type != "bid_bond":
        return
    await upsert_deposit(ctx.session, project_code=payload.project_code, section_code=payload.section_code,
                         credit_code=payload.applicant_credit_code, kind="guarantee", reference=payload.number,
                         amount=payload.amount, account=None, status=status, at=payload.occurred_at)
    assert isinstance(ctx.settings, BiddingSettings)
    await archiving.amend_code(ctx.session, payload.project_code, reason=f"bid bond {payload.number} {status}",
                               now=ctx.clock.now(), settings=ctx.settings)


async def guarantee_issued(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """A bid-bond guarantee secures the applicant's deposit for its section."""
    await _guarantee(ctx, event, payload, "secured")


async def guarantee_released(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """A released bid-bond guarantee no longer secures the deposit."""
    await _guarantee(ctx, event, payload, "released")


async def color_changed(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """Keep the enterprise's latest five-color code for eligibility checks."""
    assert isinstance(payload, ColorChanged)
    await set_color(ctx.session, credit_code=payload.credit_code, name=payload.name, color=payload.new_color,
                    at=payload.changed_at)


HANDLERS: list[Handler] = [
    *CALENDAR_HANDLERS,
    SITE_HANDLER,
    Handler("guarantee.guarantee.issued", guarantee_issued),
    Handler("guarantee.guarantee.released", guarantee_released),
    Handler("credit.enterprise.color_changed", color_changed),
]
