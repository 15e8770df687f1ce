"""Halls, their business lines and counters: public to read, ``queue:manage`` to change.

Changing a hall, its lines or its counters' lines needs ``hall_manager`` at the hall's site (with a
second factor), an operator, or a key of that hall's tenancy holding ``queue:manage``; a clerk of the
hall opens, pauses and closes a counter and says who is on duty (issue 19, 政务服务大厅 practice).

These are bounded configuration lists (a hall per site of the district's registry, a handful of
lines and counters per hall), so they are answered whole rather than paged.
"""

from __future__ import annotations

from fastapi import APIRouter

from bianmin.kit.clock import ClockDep
from bianmin.kit.db import ReadSessionDep, SessionDep
from bianmin.kit.errors import ScopeMissing, problem_responses
from bianmin.kit.idempotency import IdempotencyDep
from bianmin.kit.identity import PrincipalDep, ensure_tenant, public, require_scopes
from bianmin.kit.paths import RowId
from bianmin.kit.policy import SecondFactorRequired, app, operator, policy, staff
from bianmin.queue.api.deps import ANYONE, CONFIGURING, HALL_STAFF, MANAGER, ensure_staff_of, hall_for
from bianmin.queue.api.views import counter_views, line_views
from bianmin.queue.domain import halls
from bianmin.queue.models import Hall
from bianmin.queue.schemas import (
    CounterCreate,
    CounterRead,
    CounterUpdate,
    HallCreate,
    HallRead,
    HallUpdate,
    LineCreate,
    LineRead,
    LineUpdate,
)

router = APIRouter(tags=["halls"])
MANAGE = [require_scopes("queue:manage"), CONFIGURING]


@router.get("/halls", summary="List halls", responses=problem_responses(401), dependencies=[ANYONE], **public())
async def list_halls(session: ReadSessionDep) -> list[HallRead]:
    """Every hall of the district (public: citizens choose where to go)."""
    return [HallRead.model_validate(h) for h in await halls.list_halls(session)]


@router.post("/halls", status_code=201, summary="Open a hall", dependencies=MANAGE,
             responses=problem_responses(401, 403, 409, 422))
async def create_hall(body: HallCreate, session: SessionDep, who: PrincipalDep, idem: IdempotencyDep,
                      clock: ClockDep) -> HallRead:
    """Open the hall of a site; a township key may open its own township's hall only."""
    ensure_tenant(who, body.code)
    ensure_staff_of(who, body.code, MANAGER)
    hall = await halls.create_hall(session, code=body.code, name=body.name, address=body.address,
                                   alert_wait_minutes=body.alert_wait_minutes,
                                   alert_waiting_count=body.alert_waiting_count, now=clock.now())
    return await idem.finish(session, HallRead.model_validate(hall))


@router.get("/halls/{code}", summary="Read a hall", responses=problem_responses(401, 404), dependencies=[ANYONE], **public())
async def read_hall(code: str, session: ReadSessionDep) -> HallRead:
    """One hall."""
    return HallRead.model_validate(await halls.get_hall(session, code))


@router.patch("/halls/{code}", summary="Change a hall", dependencies=MANAGE,
              responses=problem_responses(401, 403, 404, 422))
async def update_hall(code: str, body: HallUpdate, session: SessionDep, who: PrincipalDep) -> HallRead:
    """Change a hall's name, address or live alert thresholds."""
    hall = await hall_for(session, who, code, MANAGER)
    for name, value in body.model_dump(exclude_none=True).items():
        setattr(hall, name, value)
    await session.commit()
    return HallRead.model_validate(hall)


@router.get("/halls/{code}/lines", summary="List a hall's lines", responses=problem_responses(401, 404), dependencies=[ANYONE], **public())
async def list_lines(code: str, session: ReadSessionDep) -> list[LineRead]:
    """The business lines of a hall and the items each serves."""
    await halls.get_hall(session, code)
    return await line_views(session, list(await halls.list_lines(session, code)))


@router.post("/halls/{code}/lines", status_code=201, summary="Add a line", dependencies=MANAGE,
             responses=problem_responses(401, 403, 404, 409, 422))
async def create_line(code: str, body: LineCreate, session: SessionDep, who: PrincipalDep,
                      idem: IdempotencyDep) -> LineRead:
    """Add a business line (prefix letter, name, daily cap, items) to a hall."""
    hall = await hall_for(session, who, code, MANAGER)
    line = await halls.create_line(session, hall=hall, prefix=body.prefix, name=body.name,
                                   daily_cap=body.daily_cap, item_codes=body.item_codes)
    view = (await line_views(session, [line]))[0]
    return await idem.finish(session, view)


@router.patch("/halls/{code}/lines/{prefix}", summary="Change a line", dependencies=MANAGE,
              responses=problem_responses(401, 403, 404, 422))
async def update_line(code: str, prefix: str, body: LineUpdate, session: SessionDep, who: PrincipalDep) -> LineRead:
    """Rename a line, change its cap or items, or stop it taking tickets."""
    hall = await hall_for(session, who, code, MANAGER)
    line = await halls.get_line(session, hall.code, prefix)
    await halls.update_line(session, line, name=body.name, daily_cap=body.daily_cap, active=body.active,
                            item_codes=body.item_codes)
    view = (await line_views(session, [line]))[0]
    await session.commit()
    return view


@router.get("/halls/{code}/counters", summary="List a hall's counters", responses=problem_responses(401, 404),
            dependencies=[ANYONE], **public())
async def list_counters(code: str, session: ReadSessionDep) -> list[CounterRead]:
    """The counters of a hall, their state and the lines they serve."""
    hall: Hall = await halls.get_hall(session, code)
    return await counter_views(session, list(await halls.list_counters(session, hall.code)))


@router.post("/halls/{code}/counters", status_code=201, summary="Add a counter", dependencies=MANAGE,
             responses=problem_responses(401, 403, 404, 409, 422))
async def create_counter(code: str, body: CounterCreate, session: SessionDep, who: PrincipalDep,
                         idem: IdempotencyDep) -> CounterRead:
    """Add a counter (窗口) serving lines of the hall with weights."""
    hall = await hall_for(session, who, code, MANAGER)
    counter = await halls.create_counter(session, hall=hall, number=body.number, name=body.name, state=body.state,
                                         staff_name=body.staff_name,
                                         lines=[(item.line, item.weight) for item in body.lines])
    view = (await counter_views(session, [counter]))[0]
    return await idem.finish(session, view)


@router.get("/counters/{counter_id}", summary="Read a counter", responses=problem_responses(401, 404), dependencies=[ANYONE], **public())
async def read_counter(counter_id: RowId, session: ReadSessionDep) -> CounterRead:
    """One counter."""
    return (await counter_views(session, [await halls.get_counter(session, counter_id)]))[0]


@router.patch("/counters/{counter_id}", summary="Change a counter",
              dependencies=[require_scopes("queue:serve"), policy(staff(*HALL_STAFF), operator(), app())],
              responses=problem_responses(401, 403, 404, 422))
async def update_counter(counter_id: RowId, body: CounterUpdate, session: SessionDep, who: PrincipalDep) -> CounterRead:
    """Open, pause or close a counter and say who is on duty (``queue:serve``, as serving); rename it or change its lines
    (``queue:manage``)."""
    configures = body.lines is not None or body.name is not None
    if configures and not who.has_scope("queue:manage"):
        raise ScopeMissing("Changing a counter's name or lines needs the scope queue:manage.")
    counter = await halls.get_counter(session, counter_id)
    await hall_for(session, who, counter.hall_code, MANAGER if configures else HALL_STAFF)
    if configures and who.subject is not None and not who.subject.second_factor:
        raise SecondFactorRequired("Changing a counter's name or lines needs a sign-in with a second factor (TOTP).")
    await halls.update_counter(session, counter, state=body.state, staff_name=body.staff_name,
                               clear_staff=body.clear_staff, name=body.name,
                               lines=None if body.lines is None else [(i.line, i.weight) for i in body.lines])
    view = (await counter_views(session, [counter]))[0]
    await session.commit()
    return view
