"""What the guarantee service publishes (through the outbox) and how it reacts to what it consumes.

Consumed: ``bidding.project.published`` (tender read model), ``bidding.project.awarded`` (winners;
losers' bid bonds released), ``bidding.project.closed|opened|failed|cancelled`` (no bid bonds after
closing; the bid bonds of a failed or cancelled tender, and of the sections failed at an opening that
carries on, released), ``bidding.section.failed`` (a section failed during evaluation: its bid bonds
released), ``bidding.contract.signed`` (the
winner's bid bond released), ``bidding.bidder.defaulted`` (a demand on the bidder's bid bond),
``credit.enterprise.color_changed`` (color read model for underwriting and fee discounts) and the
working-day calendar. Published (from the domain): ``guarantee.guarantee.issued|amended|claimed|
paid|released|expired``. Handlers run in the inbox transaction and never commit.

The handlers tell time by the application's clock (``EventContext.clock``, a ``FixedClock`` in
tests) and sign ledger checkpoints with the key ring its settings describe.
"""

from __future__ import annotations

from pydantic import BaseModel

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.bidding import (
    BidderDefaulted,
    ContractSigned,
    ProjectAwarded,
    ProjectPublished,
    ProjectStatusChanged,
    SectionFailed,
)
from bianmin.contracts.events.credit import ColorChanged
from bianmin.guarantee.domain import claims, projects
from bianmin.guarantee.domain.keys import KeyRing
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.kit.calendar import CALENDAR_HANDLERS, load_calendar
from bianmin.kit.events.consumer import EventContext, Handler


def _keyring(ctx: EventContext) -> KeyRing:
    assert isinstance(ctx.settings, GuaranteeSettings)
    return KeyRing.from_settings(ctx.settings)


async def on_published(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """Keep the tender's terms (published when bidding says it was)."""
    assert isinstance(payload, ProjectPublished)
    await projects.apply_published(ctx.session, payload, now=event.time)


async def on_awarded(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """Record the winners and release the losers' bid bonds."""
    assert isinstance(payload, ProjectAwarded)
    await projects.apply_awarded(ctx.session, payload, keyring=_keyring(ctx), now=ctx.clock.now())


async def on_status(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """A tender closed (no more bid bonds), opened with failed sections or failed (their bid bonds released)."""
    assert isinstance(payload, ProjectStatusChanged)
    await projects.apply_status(ctx.session, payload, keyring=_keyring(ctx), now=ctx.clock.now())


async def on_section_failed(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """A section failed during evaluation while its tender carries on: its bid bonds are released."""
    assert isinstance(payload, SectionFailed)
    await projects.apply_section_failed(ctx.session, payload, keyring=_keyring(ctx), now=ctx.clock.now())


async def on_contract_signed(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """The winner signed its contract: its bid bond is released."""
    assert isinstance(payload, ContractSigned)
    await projects.apply_contract_signed(ctx.session, payload, keyring=_keyring(ctx), now=ctx.clock.now())


async def on_defaulted(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """Open the tenderer's demand on the defaulting bidder's bid bond."""
    assert isinstance(payload, BidderDefaulted)
    await claims.open_for_default(
        ctx.session, project_code=payload.project_code, section_code=payload.section_code,
        credit_code=payload.credit_code, reason=payload.reason, detail=payload.detail,
        calendar=await load_calendar(ctx.session), keyring=_keyring(ctx), now=ctx.clock.now())


async def on_color_changed(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """Keep the enterprise's color."""
    assert isinstance(payload, ColorChanged)
    await projects.apply_color(ctx.session, payload)


HANDLERS: list[Handler] = [
    *CALENDAR_HANDLERS,
    Handler("bidding.project.published", on_published),
    Handler("bidding.project.awarded", on_awarded),
    Handler("bidding.project.closed", on_status),
    Handler("bidding.project.opened", on_status),
    Handler("bidding.project.failed", on_status),
    Handler("bidding.section.failed", on_section_failed),
    Handler("bidding.project.cancelled", on_status),
    Handler("bidding.contract.signed", on_contract_signed),
    Handler("bidding.bidder.defaulted", on_defaulted),
    Handler("credit.enterprise.color_changed", on_color_changed),
]

