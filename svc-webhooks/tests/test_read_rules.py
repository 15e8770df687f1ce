"""An endpoint receives only the events its owner could read through the publishing service's API."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from webhooks_factories import TOWNSHIP_A, TOWNSHIP_B, deliver_event, register

from bianmin.contracts.envelope import CloudEvent
from bianmin.contracts.events.webhooks import CONSUMES
from bianmin.contracts.registry import spec_for_subject
from bianmin.kit.identity import Principal
from bianmin.testing.client import DISTRICT_ADMIN, client_for
from bianmin.webhooks.domain import read_rules
from bianmin.webhooks.domain.read_rules import READ_RULES, may_read
from bianmin.webhooks.models import Delivery

HOOK = "https://hooks.example.com/in"
APPLICANT = "91330199MA0000001X"
ISSUER = "PICCBM"


def event(subject: str, *, tenant: str, **data: object) -> CloudEvent:
    return CloudEvent(source=f"/bianmin/{subject.split('.')[0]}", type=f"bianmin.{subject}.v1", tenant=tenant,
                      subject=str(data.get("number") or data.get("code") or "x"), data=data)


def key(name: str, tenant: str, *scopes: str) -> Principal:
    return Principal(key_id=f"key-{name}", tenant=tenant, scopes=frozenset({"webhooks:write", *scopes}), name=name)


def guarantee(verb: str, *, tenant: str = TOWNSHIP_A, issuer: str = ISSUER, applicant: str = APPLICANT) -> CloudEvent:
    return event(f"guarantee.guarantee.{verb}", tenant=tenant, number="BH-2026-0001", type="bid_bond",
                 project_code="BM-2026-001", section_code="S1", applicant_credit_code=applicant, issuer_code=issuer,
                 amount="10000.00", expires_on="2026-06-30", occurred_at="2026-03-02T02:00:00Z")


async def endpoint_for(app: FastAPI, who: Principal, **fields: object) -> int:
    async with client_for(app, who) as client:
        return int((await register(client, HOOK, **fields))["id"])


def test_every_published_subject_has_a_read_rule_and_every_rule_a_subject() -> None:
    assert set(CONSUMES) - set(READ_RULES) == set(), "a published subject has no read rule: it reaches nobody"
    assert set(READ_RULES) - set(CONSUMES) == set(), "a read rule names a subject nobody publishes"


def test_every_payload_field_a_rule_reads_is_in_the_payload_of_its_subject() -> None:
    for subject, rule in READ_RULES.items():
        fields = set(spec_for_subject(subject).payload.model_fields)
        for grant in rule.grants:
            named = {n for party in grant.parties for n in re.findall(r"\{([a-z_]+)\}", party)}
            named |= {name for name, _ in grant.when}
            assert named <= fields, (subject, named - fields)


def test_a_subject_without_a_rule_is_readable_by_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(read_rules.READ_RULES, "credit.enterprise.color_changed")
    assert not may_read(DISTRICT_ADMIN, "credit.enterprise.color_changed", tenant="*", data={})
    assert not may_read(DISTRICT_ADMIN, "nothing.at.all", tenant="*", data={})
    assert not may_read(None, "bidding.project.published", tenant="*", data={})


async def test_a_new_event_type_without_a_rule_is_delivered_to_nobody(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    await endpoint_for(app, DISTRICT_ADMIN)
    color = event("credit.enterprise.color_changed", tenant="*", credit_code=APPLICANT)
    assert await deliver_event(app, color) == 1
    monkeypatch.delitem(read_rules.READ_RULES, "credit.enterprise.color_changed")
    assert await deliver_event(app, event("credit.enterprise.color_changed", tenant="*", credit_code=APPLICANT)) == 0


async def test_a_township_key_with_webhooks_write_alone_receives_only_public_events(app: FastAPI) -> None:
    await endpoint_for(app, key("bare", TOWNSHIP_A))
    hidden = [
        guarantee("issued"),
        event("bidding.bid.submitted", tenant=TOWNSHIP_A, project_code="BM-2026-001", section_code="S1",
              commitment="ab" * 32, received_at="2026-03-02T02:00:00Z"),
        event("bidding.collusion.flagged", tenant=TOWNSHIP_A, project_code="BM-2026-001", site_code=TOWNSHIP_A),
        event("catalog.application.submitted", tenant=TOWNSHIP_A, number="SB-1", site_code=TOWNSHIP_A),
        event("queue.ticket.called", tenant=TOWNSHIP_A, number="A001"),
        event("consult.consultation.created", tenant=TOWNSHIP_A, department_code="SCJ"),
    ]
    for sent in hidden:
        assert await deliver_event(app, sent) == 0, sent.type
    assert await deliver_event(app, event("bidding.project.published", tenant=TOWNSHIP_A, code="BM-2026-001")) == 1


async def test_guarantee_events_reach_the_sites_staff_and_the_named_issuer_and_applicant_only(app: FastAPI) -> None:
    wanted = {
        await endpoint_for(app, key("staff-a", TOWNSHIP_A, "guarantee:read")),
        await endpoint_for(app, key("district-staff", "*", "guarantee:read")),
        await endpoint_for(app, key("issuer", "*", f"guarantee:issuer:{ISSUER}")),
        await endpoint_for(app, key("applicant", "*", "guarantee:apply", f"guarantee:applicant:{APPLICANT}")),
    }
    others = {
        await endpoint_for(app, key("staff-b", TOWNSHIP_B, "guarantee:read")),
        await endpoint_for(app, key("writer-a", TOWNSHIP_A, "bidding:write", "guarantee:apply")),
        await endpoint_for(app, key("other-issuer", "*", "guarantee:issuer:CCBBM")),
        await endpoint_for(app, key("other-applicant", "*", "guarantee:applicant:91330199MA0000002Y")),
        await endpoint_for(app, key("bidder", "*", "bidding:bid")),
    }
    assert await deliver_event(app, guarantee("issued")) == len(wanted)
    received = await endpoints_with_deliveries(app)
    assert received == wanted
    assert not received & others


async def test_a_sealed_bid_is_delivered_to_nobody_not_even_a_district_admin(app: FastAPI) -> None:
    await endpoint_for(app, DISTRICT_ADMIN)
    await endpoint_for(app, key("supervisor", "*", "bidding:supervise", "bidding:write"))
    bid = event("bidding.bid.submitted", tenant=TOWNSHIP_A, project_code="BM-2026-001", section_code="S1",
                commitment="ab" * 32, received_at="2026-03-02T02:00:00Z")
    assert await deliver_event(app, bid) == 0


async def test_collusion_flags_reach_supervisors_of_their_tenant_and_consultations_their_department(app: FastAPI) -> None:
    supervisor_a = await endpoint_for(app, key("sup-a", TOWNSHIP_A, "bidding:supervise"))
    await endpoint_for(app, key("sup-b", TOWNSHIP_B, "bidding:supervise"))
    flag = event("bidding.collusion.flagged", tenant=TOWNSHIP_A, project_code="BM-2026-001", site_code=TOWNSHIP_A)
    assert await deliver_event(app, flag) == 1
    assert await endpoints_with_deliveries(app) == {supervisor_a}
    scj = await endpoint_for(app, key("scj", TOWNSHIP_A, "consult:answer", "consult:dept:SCJ"))
    await endpoint_for(app, key("rsj", TOWNSHIP_A, "consult:answer", "consult:dept:RSJ"))
    await endpoint_for(app, key("scj-b", TOWNSHIP_B, "consult:answer", "consult:dept:SCJ"))
    asked = event("consult.consultation.created", tenant=TOWNSHIP_A, department_code="SCJ")
    triage = event("consult.consultation.created", tenant=TOWNSHIP_A, department_code=None)
    assert await deliver_event(app, asked) == 1
    assert await deliver_event(app, triage) == 0
    assert await endpoints_with_deliveries(app) == {supervisor_a, scj}


async def endpoints_with_deliveries(app: FastAPI) -> set[int]:
    async with app.state.db.sessionmaker() as session:
        return set((await session.scalars(select(Delivery.endpoint_id))).all())



async def test_a_collusion_hearing_reaches_the_bidder_heard_and_the_supervisors_never_another_bidder(app: FastAPI) -> None:
    heard = "91330199MA0000001X"
    supervisor_a = await endpoint_for(app, key("sup-a", TOWNSHIP_A, "bidding:supervise"))
    bidder = await endpoint_for(app, key("bidder-1", "*", "bidding:bid", f"bidding:bidder:{heard}"))
    await endpoint_for(app, key("bidder-2", "*", "bidding:bid", "bidding:bidder:91330199MA0000002X"))
    await endpoint_for(app, key("sup-b", TOWNSHIP_B, "bidding:supervise"))
    hearing = event("bidding.collusion.hearing_opened", tenant=TOWNSHIP_A, project_code="BM-2026-001",
                    section_code="S1", site_code=TOWNSHIP_A, flag_id="f" * 32, screen="same_machine_code",
                    credit_code=heard, notice="同一机器码", opened_at="2026-03-02T02:00:00Z",
                    due_at="2026-03-09T15:59:59Z")
    assert await deliver_event(app, hearing) == 2
    assert await endpoints_with_deliveries(app) == {supervisor_a, bidder}
