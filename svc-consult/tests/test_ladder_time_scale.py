"""``day_seconds``: the escalation ladder's clock runs faster for drills, over the real working-day deadline."""

from datetime import timedelta

from consult_factories import ADMIN, ask, at, instant, seed_departments
from fastapi import FastAPI

from bianmin.consult.domain.deadlines import Policy, ladder_now
from bianmin.consult.domain.escalation import run_escalations
from bianmin.consult.settings import ConsultSettings
from bianmin.kit.identity import ANONYMOUS
from bianmin.testing.client import client_for

HOUR_A_DAY = Policy(day_seconds=3600)


def test_the_ladder_clock_is_real_time_by_default_and_faster_with_day_seconds() -> None:
    start = at("2026-09-28 10:00")
    assert ConsultSettings().day_seconds == 86400
    assert Policy.from_settings(ConsultSettings()).day_seconds == 86400
    assert ladder_now(Policy(), started_at=start, now=start + timedelta(hours=2)) == start + timedelta(hours=2)
    assert ladder_now(HOUR_A_DAY, started_at=start, now=start + timedelta(hours=2)) == start + timedelta(days=2)
    assert ladder_now(HOUR_A_DAY, started_at=start, now=start - timedelta(hours=1)) == start - timedelta(hours=1)


async def test_an_hour_a_day_escalates_over_the_holiday_in_hours(app: FastAPI) -> None:
    async with client_for(app, ADMIN) as admin, client_for(app, ANONYMOUS) as public:
        await seed_departments(admin)
        receipt = await ask(public, department_code="SCJ")
    start = at("2026-09-28 10:00")

    async def escalate(hours: float) -> list[tuple[str, str]]:
        async with app.state.db.sessionmaker() as session:
            taken = await run_escalations(session, now=start + timedelta(hours=hours), policy=HOUR_A_DAY)
            await session.commit()
        return taken

    assert instant(receipt["due_at"]).astimezone(start.tzinfo).date().isoformat() == "2026-10-08"
    assert await escalate(1) == []
    assert await escalate(2.5) == [(receipt["number"], "prewarning")]
    assert await escalate(10) == []
    assert await escalate(11) == [(receipt["number"], "urge")]
