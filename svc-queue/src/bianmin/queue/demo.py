"""Demo data for ``make demo``: the district hall and the ten township halls, lines, counters, slots,
three working days of history imported as from a previous queue system, and a little live activity.

Only the public API is used, and each step looks before it writes, so running it twice changes
nothing the second time. The history is generated from a fixed seed, so every run makes the same.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

import httpx

from bianmin.kit.calendar import bundled_calendar
from bianmin.kit.workdays import SHANGHAI

DISTRICT = "330199000"
TOWNSHIPS = [f"330199{n:03d}" for n in range(1, 11)]
TOWNSHIP_NAMES = ["城关", "东城", "西城", "南湖", "北山", "青溪", "白沙", "龙泉", "石桥", "梅岭"]
DISTRICT_LINES = [("A", "综合受理"), ("B", "不动产登记"), ("C", "社保医保"), ("D", "企业开办"), ("E", "公积金")]
TOWNSHIP_LINES = [("A", "综合受理"), ("B", "社保医保")]
STAFF = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊", "赵丽", "黄勇"]
HISTORY_HALLS = (DISTRICT, TOWNSHIPS[0])


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url.path}: "
                           f"{response.status_code} {response.text[:300]}")
    return response.json()


def _counters(code: str) -> dict[int, list[tuple[str, int]]]:
    if code == DISTRICT:
        return {1: [("A", 3), ("C", 1)], 2: [("A", 3), ("D", 1)], 3: [("B", 3)], 4: [("B", 3), ("A", 1)],
                5: [("C", 3), ("E", 1)], 6: [("D", 3), ("A", 1)], 7: [("E", 3), ("C", 1)], 8: [("A", 1), ("B", 1)]}
    return {1: [("A", 2), ("B", 1)], 2: [("B", 2), ("A", 1)]}


async def _hall(client: httpx.AsyncClient, code: str, name: str, existing: set[str]) -> None:
    if code not in existing:
        _ok(await client.post("/v1/halls", json={"code": code, "name": name, "alert_wait_minutes": 30,
                                                 "alert_waiting_count": 15 if code == DISTRICT else 6},
                              headers={"Idempotency-Key": f"demo-hall-{code}"}))
    lines = {line["prefix"] for line in _ok(await client.get(f"/v1/halls/{code}/lines"))}
    for prefix, label in DISTRICT_LINES if code == DISTRICT else TOWNSHIP_LINES:
        if prefix not in lines:
            _ok(await client.post(f"/v1/halls/{code}/lines", json={
                "prefix": prefix, "name": label, "daily_cap": 400 if code == DISTRICT else 150},
                headers={"Idempotency-Key": f"demo-line-{code}-{prefix}"}))
    counters = {c["number"] for c in _ok(await client.get(f"/v1/halls/{code}/counters"))}
    for number, served in _counters(code).items():
        if number not in counters:
            _ok(await client.post(f"/v1/halls/{code}/counters", json={
                "number": number, "name": f"{number}号窗口", "state": "open", "staff_name": STAFF[number - 1],
                "lines": [{"line": p, "weight": w} for p, w in served]},
                headers={"Idempotency-Key": f"demo-counter-{code}-{number}"}))


def _past_workdays(today: date, count: int) -> list[date]:
    calendar, days, day = bundled_calendar(), [], today
    while len(days) < count:
        day -= timedelta(days=1)
        if calendar.is_workday(day):
            days.append(day)
    return sorted(days)


def _history(code: str, day: date) -> list[dict[str, Any]]:
    rng = random.Random(f"{code}-{day.isoformat()}")
    lines = [p for p, _ in (DISTRICT_LINES if code == DISTRICT else TOWNSHIP_LINES)]
    counters = _counters(code)
    records = []
    for _ in range(60 if code == DISTRICT else 20):
        issued = datetime.combine(day, time(9, 0), SHANGHAI) + timedelta(minutes=rng.randint(0, 420))
        line = rng.choice(lines)
        counter = rng.choice([n for n, served in counters.items() if line in {p for p, _ in served}])
        called = issued + timedelta(minutes=rng.randint(1, 40))
        if rng.random() < 0.06:
            records.append({"line": line, "counter_number": counter, "state": "no_show",
                            "issued_at": issued.isoformat(), "called_at": called.isoformat(),
                            "completed_at": (called + timedelta(minutes=3)).isoformat()})
            continue
        started = called + timedelta(minutes=1)
        level = rng.choices([5, 4, 3, 2, 1], weights=[70, 20, 6, 3, 1])[0] if rng.random() < 0.7 else None
        records.append({"line": line, "counter_number": counter, "state": "done", "issued_at": issued.isoformat(),
                        "called_at": called.isoformat(), "started_at": started.isoformat(),
                        "completed_at": (started + timedelta(minutes=rng.randint(3, 20))).isoformat(),
                        "level": level})
    return records


async def _import_history(client: httpx.AsyncClient, code: str, today: date) -> None:
    for day in _past_workdays(today, 3):
        figures = _ok(await client.get("/v1/stats", params={"from": day.isoformat(), "to": day.isoformat(),
                                                             "hall": code}))
        if figures["tickets"] == 0:
            _ok(await client.post(f"/v1/halls/{code}/ticket-imports", json={"tickets": _history(code, day)},
                                  headers={"Idempotency-Key": f"demo-history-{code}-{day.isoformat()}"}))


async def _slots(client: httpx.AsyncClient, today: date) -> None:
    """A week of slots from tomorrow; the service skips the days of a year without a holiday notice, and
    a week that starts in such a year gets none."""
    known = {year["year"] for year in _ok(await client.get("/v1/calendar/years"))}
    first, last = today + timedelta(days=1), today + timedelta(days=7)
    if first.year not in known:
        return
    times = [[f"{h:02d}:{m:02d}", f"{h:02d}:{m + 29:02d}"] for h in (9, 10, 14, 15) for m in (0, 30)]
    for prefix in ("A", "B"):
        _ok(await client.post(f"/v1/halls/{DISTRICT}/slots", json={
            "line": prefix, "from_date": first.isoformat(), "to_date": last.isoformat(), "times": times,
            "capacity": 4}))


async def _live(client: httpx.AsyncClient) -> None:
    live = _ok(await client.get(f"/v1/halls/{DISTRICT}/stats"))
    if live["issued_today"] > 0:
        return
    for n, line in enumerate("AABCAD"):
        _ok(await client.post("/v1/tickets", json={"hall_code": DISTRICT, "line": line},
                              headers={"Idempotency-Key": f"demo-live-{n}"}))
    counters = _ok(await client.get(f"/v1/halls/{DISTRICT}/counters"))
    for counter in counters[:2]:
        _ok(await client.post(f"/v1/counters/{counter['id']}/call-next"))


async def load_demo(client: httpx.AsyncClient) -> None:
    """Load the queue's demo data through its public API; safe to run twice."""
    existing = {hall["code"] for hall in _ok(await client.get("/v1/halls"))}
    await _hall(client, DISTRICT, "便民区政务服务中心", existing)
    for code, name in zip(TOWNSHIPS, TOWNSHIP_NAMES, strict=True):
        await _hall(client, code, f"{name}镇便民服务中心", existing)
    today = datetime.now(SHANGHAI).date()
    for code in HISTORY_HALLS:
        await _import_history(client, code, today)
    await _slots(client, today)
    await _live(client)
