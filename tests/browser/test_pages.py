"""The hall's display board and the cockpit in headless Chromium, on the real platform.

The board follows a call made through the API within a second, shows names as the API masks them,
reads calls aloud when switched on, survives the queue service going away and coming back, and
fits 1920×1080 and 1280×720. The cockpit shows the API's numbers, each with its definition, and
marks a service that did not answer; a staff member signs in to it with an account, sees their own
sites' figures and signs out (the session revoked). No page fetches anything from outside the platform.
Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bianmin.testing.localrun import SERVICES, Platform

CHROMIUM = Path(os.environ.get("BIANMIN_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.exists():
    pytest.skip(f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
try:
    from playwright.sync_api import Browser, Page, expect
except ImportError:
    pytest.skip("browser tests skipped: the playwright package is not installed (pip install -r requirements-dev.txt)",
                allow_module_level=True)

pytestmark = pytest.mark.e2e

HALL = "330199003"
SPEECH_SPY = """
window.__spoken = [];
if (window.SpeechSynthesis) {
  SpeechSynthesis.prototype.speak = function (utterance) { window.__spoken.push({text: utterance.text, lang: utterance.lang}); };
}
"""


def outside_requests(page: Page, origin: str) -> list[str]:
    """Every request of the page that leaves the platform (the list fills as the page runs)."""
    seen: list[str] = []
    page.on("request", lambda request: None if request.url.startswith((origin, "data:")) else seen.append(request.url))
    return seen


@pytest.fixture(scope="module")
def api(gateway: str, admin_key: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway, headers={"Authorization": f"Bearer {admin_key}"}, timeout=15) as client:
        yield client


@pytest.fixture(scope="module")
def hall(api: httpx.Client) -> dict[str, Any]:
    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = api.post(path, json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()

    post("/queue/v1/halls", {"code": HALL, "name": "城东街道便民服务中心", "address": "城东路 1 号"})
    post(f"/queue/v1/halls/{HALL}/lines", {"prefix": "A", "name": "综合受理"})
    post(f"/queue/v1/halls/{HALL}/lines", {"prefix": "B", "name": "不动产登记"})
    post(f"/queue/v1/halls/{HALL}/lines", {"prefix": "C", "name": "社保医保"})
    counters = [post(f"/queue/v1/halls/{HALL}/counters", {"number": n, "name": name, "state": "open", "lines": lines})
                for n, name, lines in ((1, "综合窗口", [{"line": "A"}]), (2, "不动产", [{"line": "B"}]),
                                       (3, "社保医保", [{"line": "C"}]), (4, "综合窗口", [{"line": "A"}, {"line": "C"}]))]
    for n in range(9):
        take(api, "ABC"[n % 3], ["王小明", "李秀英", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰"][n])
    call(api, counters[1]["id"])
    call(api, counters[2]["id"])
    return {"code": HALL, "counters": {c["number"]: c["id"] for c in counters}}


def take(api: httpx.Client, line: str, name: str) -> dict[str, Any]:
    answer = api.post("/queue/v1/tickets", json={"hall_code": HALL, "line": line, "name": name})
    assert answer.status_code == 201, answer.text
    return answer.json()


def call(api: httpx.Client, counter_id: int) -> dict[str, Any]:
    answer = api.post(f"/queue/v1/counters/{counter_id}/call-next")
    assert answer.status_code == 200, answer.text
    return answer.json()


def open_board(browser: Browser, gateway: str, width: int, height: int) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.add_init_script(SPEECH_SPY)
    outside = outside_requests(page, gateway)
    response = page.goto(f"{gateway}/board/{HALL}")
    assert response is not None
    assert response.status == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    expect(page.locator("#board")).to_have_attribute("data-ready", "true", timeout=10_000)
    expect(page.locator("#conn")).to_have_attribute("data-state", "live", timeout=10_000)
    return page, outside


def test_a_call_made_through_the_api_is_on_the_board_within_a_second(
        browser: Browser, gateway: str, api: httpx.Client, hall: dict[str, Any], artifacts: Path) -> None:
    page, outside = open_board(browser, gateway, 1920, 1080)
    expect(page.locator("#hall-name")).to_have_text("城东街道便民服务中心")
    page.locator("#speak").click()
    expect(page.locator("#speak")).to_have_attribute("aria-pressed", "true")

    take(api, "A", "欧阳娜娜")
    started = time.monotonic()
    called = call(api, hall["counters"][1])
    ticket = called["ticket"]
    card = page.locator('.card[data-counter="1"]')
    expect(card.locator(".card-num")).to_have_text(ticket["number"], timeout=1_000)
    assert time.monotonic() - started < 1.5
    expect(page.locator("#latest-body .num").first).to_have_text(ticket["number"])
    expect(page.locator("#recent li").first).to_have_attribute("data-seq", str(called["call_seq"]))

    board = api.get(f"/queue/v1/halls/{HALL}/board").json()
    shown = next(c for c in board["counters"] if c["number"] == 1)["current"]
    assert shown["name"]
    assert shown["name"] != "欧阳娜娜"
    expect(card.locator(".card-who")).to_have_text(shown["name"])
    assert "欧阳娜娜" not in page.content()

    page.wait_for_function("window.__spoken.length > 0", timeout=2_000)
    spoken = page.evaluate("window.__spoken")
    assert spoken[-1]["lang"] == "zh-CN"
    assert "号窗口办理" in spoken[-1]["text"]

    stats = api.get(f"/queue/v1/halls/{HALL}/stats").json()
    for line in stats["lines"]:
        expect(page.locator(f'#lines li[data-line="{line["line"]}"] .l-count')).to_have_text(str(line["waiting"]), timeout=12_000)
    expect(page.locator("#waiting-total")).to_have_text(str(stats["waiting"]), timeout=12_000)
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "board-1920x1080.png"))
    assert outside == []
    page.close()


def test_the_board_fits_a_1280_by_720_screen(browser: Browser, gateway: str, hall: dict[str, Any], artifacts: Path) -> None:
    page, _ = open_board(browser, gateway, 1280, 720)
    size = page.evaluate("({w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight})")
    assert size["w"] <= 1280
    assert size["h"] <= 720
    for selector in ("#hall-name", ".card[data-counter='4']", "#recent li", "#lines li", "#speak", "#conn"):
        box = page.locator(selector).first.bounding_box()
        assert box is not None, selector
        assert min(box["x"], box["y"]) >= 0, selector
        assert box["x"] + box["width"] <= 1280, selector
        assert box["y"] + box["height"] <= 720, selector
    number = page.locator(".card[data-counter='2'] .card-num")
    assert float(number.evaluate("n => parseFloat(getComputedStyle(n).fontSize)")) >= 40
    page.screenshot(path=str(artifacts / "board-1280x720.png"))
    page.close()


def test_the_board_reconnects_when_the_queue_service_comes_back(
        browser: Browser, gateway: str, api: httpx.Client, hall: dict[str, Any], platform: Platform, artifacts: Path) -> None:
    page, _ = open_board(browser, gateway, 1920, 1080)
    platform.stop("queue")
    try:
        expect(page.locator("#conn")).not_to_have_attribute("data-state", "live", timeout=10_000)
        page.screenshot(path=str(artifacts / "board-disconnected.png"))
    finally:
        platform.start("queue")
    expect(page.locator("#conn")).to_have_attribute("data-state", "live", timeout=40_000)
    take(api, "C", "孙悦")
    called = call(api, hall["counters"][4])
    expect(page.locator('.card[data-counter="4"] .card-num')).to_have_text(called["ticket"]["number"], timeout=2_000)
    page.close()


def test_the_cockpit_shows_the_apis_numbers_with_their_definitions(
        browser: Browser, gateway: str, cockpit_key: str, hall: dict[str, Any], artifacts: Path) -> None:
    # Every service answers (a service's first stats query after a start may miss the cockpit's deadline).
    deadline = time.monotonic() + 30
    while httpx.get(f"{gateway}/cockpit/v1/overview", headers={"Authorization": f"Bearer {cockpit_key}"},
                    timeout=15).json()["missing"] and time.monotonic() < deadline:
        time.sleep(0.5)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    outside = outside_requests(page, gateway)
    response = page.goto(f"{gateway}/cockpit#key={cockpit_key}")
    assert response is not None
    assert "default-src 'none'" in response.headers["content-security-policy"]
    expect(page.locator("body")).to_have_attribute("data-state", "ready", timeout=20_000)
    assert "key=" not in page.url
    assert page.evaluate("sessionStorage.getItem('bianmin.cockpit.key')") == cockpit_key

    start, end = page.locator("#from").input_value(), page.locator("#to").input_value()
    overview = httpx.get(f"{gateway}/cockpit/v1/overview", params={"from": start, "to": end},
                         headers={"Authorization": f"Bearer {cockpit_key}"}, timeout=15).json()
    assert overview["missing"] == []
    compared = 0
    for part in overview["parts"]:
        for figure in part["figures"]:
            tile = page.locator(f'#details .tile[data-service="{part["service"]}"][data-figure="{figure["name"]}"]')
            expected = "" if figure["value"] is None else str(figure["value"])
            expect(tile).to_have_attribute("data-value", expected)
            assert figure["definition"] in (tile.get_attribute("title") or "")
            compared += 1
    assert compared >= 20
    tickets = next(f for p in overview["parts"] if p["service"] == "queue" for f in p["figures"] if f["name"] == "tickets")
    assert tickets["value"] >= 9
    expect(page.locator('.kpi[data-figure="tickets"] .v')).to_have_text(str(tickets["value"]))
    expect(page.locator("#services li[data-status='ok']")).to_have_count(len(SERVICES))

    expect(page.locator("#chart-waits svg")).to_contain_text("城东街道便民服务中心")
    expect(page.locator("#chart-colors svg")).to_be_visible()
    for chart in ("apps", "savings", "guarantees"):
        expect(page.locator(f"#chart-{chart} .chart > *")).to_be_visible()
        expect(page.locator(f"#chart-{chart} .chart-message.missing")).to_have_count(0)
    page.locator('.kpi[data-figure="wait_mean"]').hover()
    expect(page.locator("#tooltip")).to_be_visible()
    wait_mean = next(f for p in overview["parts"] if p["service"] == "queue" for f in p["figures"] if f["name"] == "wait_mean")
    expect(page.locator("#tooltip")).to_contain_text(wait_mean["definition"])
    page.screenshot(path=str(artifacts / "cockpit-1920.png"), full_page=True)
    assert outside == []
    page.close()


def test_the_cockpit_marks_a_service_that_did_not_answer(
        browser: Browser, gateway: str, cockpit_key: str, platform: Platform, artifacts: Path) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{gateway}/cockpit")
    expect(page.locator("#login")).to_be_visible()
    page.screenshot(path=str(artifacts / "cockpit-login.png"))
    page.locator("#key").fill(cockpit_key)
    platform.stop("credit")
    try:
        page.locator("#login-form button[type=submit]").click()
        expect(page.locator("body")).to_have_attribute("data-state", "ready", timeout=20_000)
        expect(page.locator('#services li[data-service="credit"]')).to_have_attribute("data-status", "missing")
        expect(page.locator('#details .svc-section[data-service="credit"] .badge')).to_contain_text("未响应")
        expect(page.locator('.kpi[data-service="credit"]')).to_have_attribute("data-missing", "true")
        expect(page.locator("#chart-colors .chart-message.missing")).to_be_visible()
        expect(page.locator('#services li[data-status="ok"]')).to_have_count(len(SERVICES) - 1)
        page.screenshot(path=str(artifacts / "cockpit-credit-missing.png"), full_page=True)
    finally:
        platform.start("credit")
    page.close()


def _account(api: httpx.Client, username: str, role: str, site: str) -> dict[str, Any]:
    """A staff account holding ``role`` at ``site``, made by the district operator's key."""
    created = api.post("/admin/v1/accounts", json={
        "username": username, "kind": "staff", "display_name": "城东街道 驾驶舱", "password": f"{username}-pass-2026",
        "roles": [{"role": role, "site": site}]})
    assert created.status_code == 201, created.text
    return created.json()


def test_a_staff_member_signs_in_to_the_cockpit_sees_their_own_sites_and_signs_out(
        browser: Browser, gateway: str, api: httpx.Client, hall: dict[str, Any], artifacts: Path) -> None:
    """Issue 19: a staff member signs in with an account, not a key; a township's viewer sees its own halls'
    figures (those the API gives the same person), and signing out revokes the session at the gateway."""
    _account(api, "chengdong.viewer", "cockpit_viewer", HALL)
    elsewhere = "330199004"  # another street's hall, whose tickets the viewer must not count
    for path, body in (("/queue/v1/halls", {"code": elsewhere, "name": "西城街道便民服务中心", "address": "西路 2 号"}),
                       (f"/queue/v1/halls/{elsewhere}/lines", {"prefix": "A", "name": "综合受理"})):
        assert api.post(path, json=body).status_code == 201
    for _ in range(2):
        assert api.post("/queue/v1/tickets", json={"hall_code": elsewhere, "line": "A"}).status_code == 201
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    outside = outside_requests(page, gateway)
    page.goto(f"{gateway}/cockpit")
    expect(page.locator("#signin-form")).to_be_visible()
    page.locator("#username").fill("chengdong.viewer")
    page.locator("#password").fill("wrong-password")
    page.locator("#signin-form button[type=submit]").click()
    expect(page.locator("#signin-error")).to_have_text("账号或密码不正确。")

    page.locator("#username").fill("chengdong.viewer")
    page.locator("#password").fill("chengdong.viewer-pass-2026")
    page.locator("#signin-form button[type=submit]").click()
    expect(page.locator("body")).to_have_attribute("data-state", "ready", timeout=20_000)
    token = page.evaluate("sessionStorage.getItem('bianmin.cockpit.key')")
    assert token
    assert not token.startswith("bm_")  # an access token of the sign-in, not an API key
    start, end = page.locator("#from").input_value(), page.locator("#to").input_value()
    own = httpx.get(f"{gateway}/cockpit/v1/overview", params={"from": start, "to": end},
                    headers={"Authorization": f"Bearer {token}"}, timeout=15).json()
    district = api.get("/cockpit/v1/overview", params={"from": start, "to": end}).json()

    def tickets(overview: dict[str, Any]) -> int:
        return next(f["value"] for p in overview["parts"] if p["service"] == "queue" for f in p["figures"]
                    if f["name"] == "tickets")

    expect(page.locator('.kpi[data-figure="tickets"] .v')).to_have_text(str(tickets(own)))
    assert 9 <= tickets(own) <= tickets(district) - 2
    page.screenshot(path=str(artifacts / "cockpit-staff.png"), full_page=True)

    page.locator("#logout").click()
    expect(page.locator("#signin-form")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('bianmin.cockpit.key')") is None
    revoked = httpx.get(f"{gateway}/cockpit/v1/overview", headers={"Authorization": f"Bearer {token}"}, timeout=15)
    assert revoked.status_code == 401
    assert outside == []
    page.close()
