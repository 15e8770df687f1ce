"""What the credit service publishes (through the outbox) and how it reacts to what it consumes.

Publishes ``credit.enterprise.color_changed`` (see :mod:`bianmin.credit.domain.coding`).
Consumes, each into a bad record of the kind and status the rules' ``event_sources`` name:

- ``bidding.collusion.confirmed`` → one record per enterprise the confirmation names (default:
  collusion, serious, confirmed at once — a supervisor already confirmed it). Bidding confirms a flag
  bidder by bidder, each after its hearing (陈述申辩), so each event names the one bidder confirmed;
  a bidder of the flag that was cleared is never named and gets no record;
- ``bidding.bidder.defaulted`` → one record, its kind chosen by the default's reason (default:
  confirmed at once);
- ``guarantee.guarantee.claimed`` → one record against the applicant (default: pending, because a
  claim may still be rejected by the issuer; a reviewer confirms it).

An enterprise nobody registered becomes an unnamed stub rather than failing the event. Each fact
carries a ``source_ref`` (flag and enterprise, project/section/enterprise/reason, guarantee
number): besides the kit's inbox, which drops a redelivered event, a fact reported twice under
two event ids is still recorded once.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.bidding import BidderDefaulted, CollusionConfirmed
from bianmin.contracts.events.guarantee import GuaranteeStatusChanged
from bianmin.credit.domain.enterprises import ensure_stub
from bianmin.credit.domain.records import add_record, recorded
from bianmin.credit.domain.ruleset import rules_at
from bianmin.kit.events.consumer import EventContext, Handler
from bianmin.kit.identifiers import uscc_problem
from bianmin.kit.schemas import canonical
from bianmin.kit.workdays import local_date

COLLUSION = "bidding.collusion.confirmed"
DEFAULTED = "bidding.bidder.defaulted"
CLAIMED = "guarantee.guarantee.claimed"
EVENT_ACTOR = "event"
log = logging.getLogger("bianmin.credit.events")


async def _record_fact(session: AsyncSession, *, subject: str, code: str, reason: str | None, happened: datetime,
                       evidence: str, site_code: str, ref: str, now: datetime) -> None:
    """Record one consumed fact as a bad record, unless it was recorded before."""
    if await recorded(session, ref):
        return
    rules = await rules_at(session, now)
    source = rules.body.event_sources.get(subject)
    if source is None:
        return
    problem = uscc_problem(canonical(code))
    if problem is not None and problem != "check character does not match":
        log.warning("event names no possible credit code; not recorded", extra={"ref": ref, "problem": problem})
        return
    kind = (source.kinds_by_reason.get(reason) if reason else None) or source.kind
    kind = kind or next(iter(source.kinds_by_reason.values()))
    enterprise = await ensure_stub(session, code, now=now)
    occurred: date = min(local_date(happened), local_date(now))
    await add_record(session, enterprise, kind=kind, occurred_on=occurred, evidence=evidence[:4000],
                     site_code=site_code, now=now, by=EVENT_ACTOR, source="event", source_ref=ref[:200],
                     confirm=source.status == "confirmed")


async def collusion(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """One record per enterprise of a confirmed collusion flag."""
    assert isinstance(payload, CollusionConfirmed)
    for code in dict.fromkeys(payload.credit_codes):
        await _record_fact(
            ctx.session, subject=COLLUSION, code=code, reason=None, happened=payload.confirmed_at,
            evidence=(f"Collusion flag {payload.flag_id} on {payload.project_code}/{payload.section_code} "
                      f"(screens: {', '.join(payload.screens)}), confirmed by {payload.confirmed_by}; "
                      f"enterprises: {', '.join(payload.credit_codes)}"),
            site_code=payload.site_code, ref=f"{COLLUSION}:{payload.flag_id}:{code}", now=ctx.clock.now())


async def defaulted(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """One record for a bidder's default, its kind chosen by the reason."""
    assert isinstance(payload, BidderDefaulted)
    await _record_fact(
        ctx.session, subject=DEFAULTED, code=payload.credit_code, reason=payload.reason, happened=payload.occurred_at,
        evidence=f"Defaulted on {payload.project_code}/{payload.section_code}: {payload.reason}. {payload.detail}",
        site_code=payload.site_code,
        ref=f"{DEFAULTED}:{payload.project_code}:{payload.section_code}:{payload.credit_code}:{payload.reason}",
        now=ctx.clock.now())


async def claimed(ctx: EventContext, event: CloudEvent, payload: BaseModel) -> None:
    """A record against the applicant of a guarantee claimed on (pending by default)."""
    assert isinstance(payload, GuaranteeStatusChanged)
    await _record_fact(
        ctx.session, subject=CLAIMED, code=payload.applicant_credit_code, reason=None, happened=payload.occurred_at,
        evidence=(f"Claim on {payload.type} guarantee {payload.number} ({payload.amount} {payload.currency}) "
                  f"for {payload.project_code}/{payload.section_code}, issuer {payload.issuer_code}"),
        site_code=event.tenant or "*", ref=f"{CLAIMED}:{payload.number}", now=ctx.clock.now())


HANDLERS: list[Handler] = [Handler(COLLUSION, collusion), Handler(DEFAULTED, defaulted), Handler(CLAIMED, claimed)]

