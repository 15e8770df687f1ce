"""Catalog events through the outbox to a real NATS JetStream."""

from catalog_factories import CREDIT_CODE, TOWN_ACCEPTOR, citizen, seed

from bianmin.catalog.app import create_app
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.calendar import bundled_years
from bianmin.testing.client import client_for, running
from bianmin.testing.events import eventually, published
from bianmin.testing.nats import NatsServer


async def test_site_item_application_evaluation_and_calendar_events_and_the_first_announcement_reach_jetstream(
        settings: CatalogSettings, fresh_nats: NatsServer) -> None:
    app = create_app(settings.model_copy(update={"events_enabled": True, "nats_url": fresh_nats.url,
                                                 "relay_poll_seconds": 0.05}))
    async with running(app), client_for(app) as client:
        await seed(client)
        await client.patch("/v1/items/330199-SC-001", json={"promised_limit_days": 2})
        refused = await client.post("/v1/items/330199-SC-001/status", json={"status": "draft"})
        # Issue 19: the citizen applies and rates, the township's acceptor accepts (the admin key did all three).
        async with client_for(app, citizen()) as applicant, client_for(app, TOWN_ACCEPTOR) as acceptor:
            submitted = await applicant.post("/v1/applications", json={
                "item_code": "330199-SC-001", "site_code": "330199001", "channel": "window",
                "applicant": {"type": "legal", "id_number": CREDIT_CODE, "name": "某公司", "phone": "13800001234"},
                "materials": [{"name": "营业执照申请书"}, {"name": "住所证明"}]})
            number = submitted.json()["number"]
            await acceptor.post(f"/v1/applications/{number}/status", json={"status": "accepted"})
            await applicant.post("/v1/evaluations", json={"application_number": number, "level": 1})
        await client.put("/v1/calendar/2025-10-11", json={"workday": False, "note": "区级调整"})
        await client.delete("/v1/calendar/2025-10-11")
        await client.post("/v1/items/330199-SC-001/status", json={"status": "withdrawn"})

        async def all_out() -> bool:
            return len(await published(fresh_nats.url, "catalog.>", wait=0.2)) >= 13 + len(bundled_years())

        await eventually(all_out, timeout=15)
    published_events = await published(fresh_nats.url, "catalog.>", wait=0.2)
    # At its first start the catalog announces every year it knows (the bundled ones), once each, whole,
    # and every site it holds then (none yet, or the first of the seed's: the race is the worker's).
    years = [e for e in published_events if e.type == "bianmin.catalog.calendar.year_loaded.v1"]
    assert [(e.subject, e.data["version"], len(e.data["days"])) for e in years] == [
        (str(year), 1, len(days)) for year, days in bundled_years().items()]
    sites, events, seen = [], [], set()
    for event in published_events:
        if event in years:
            continue
        if event.type.startswith("bianmin.catalog.site."):
            if event.subject not in seen:  # a site the announcement repeated is one change
                seen.add(event.subject)
                sites.append(event)
        else:
            events.append(event)
    assert refused.status_code == 409
    # The seed's five sites, each announced with its tenant (issue 20: every service keeps its registry from these).
    assert [(e.tenant, e.subject, e.data["level"], e.data["active"]) for e in sites] == [
        ("*", "330199000", "district", True), ("330199001", "330199001", "township", True),
        ("330199002", "330199002", "township", True), ("330199001", "330199001001", "village", True),
        ("330199001", "330199001B01", "bank", True)]
    by_type = [(e.type.removeprefix("bianmin.").removesuffix(".v1"), e.tenant, e.subject) for e in events]
    assert by_type == [
        ("catalog.item.published", "*", "330199-SC-001"),
        ("catalog.item.updated", "*", "330199-SC-001"),
        ("catalog.application.submitted", "330199001", number),
        ("catalog.application.status_changed", "330199001", number),
        ("catalog.evaluation.submitted", "330199001", number),
        ("catalog.calendar.changed", "*", "2025-10-11"),
        ("catalog.calendar.changed", "*", "2025-10-11"),
        ("catalog.item.withdrawn", "*", "330199-SC-001"),
    ]
    assert events[1].data["promised_limit_days"] == 2
    assert events[1].data["revision"] == 3
    assert events[3].data["from_status"] == "submitted"
    assert events[3].data["to_status"] == "accepted"
    assert events[4].data["bad"] is True
    assert events[5].data["workday"] is False
    assert events[6].data["workday"] is None
    assert "applicant" not in str(events[2].data).replace("applicant_type", "")
    assert "citizen" not in str([e.data for e in events])  # no subject of the applicant in any event
