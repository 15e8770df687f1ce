"""The catalog's command line: ``bianmin-catalog calendar load FILE --by NAME`` loads a year's notice like the route."""

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bianmin.catalog.__main__ import main
from bianmin.catalog.models import CalendarVersion
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.db import Database
from bianmin.kit.tables import outbox_event

# A made-up notice for 2031 (no such notice exists): Wed 1 Jan off, Sun 5 Jan worked.
MADE_UP = {"year": 2031, "notice": "国办发明电〔2030〕99号（测试用，虚构）", "days": [
    {"day": "2031-01-01", "workday": False, "name": "元旦"},
    {"day": "2031-01-05", "workday": True, "name": "元旦"},
]}


async def stored(url: str) -> tuple[list[tuple[int, str, str]], int]:
    """The versions of 2031 kept (version, notice, loaded_by) and how many events the outbox holds."""
    db = Database(url)
    try:
        async with db.sessionmaker() as session:
            versions = (await session.execute(select(CalendarVersion).where(CalendarVersion.year == 2031)
                                              .order_by(CalendarVersion.version))).scalars().all()
            events = (await session.execute(select(outbox_event.c.event_id))).all()
            return [(v.version, v.notice, v.loaded_by) for v in versions], len(events)
    finally:
        await db.dispose()


@pytest.fixture
def run(settings: CatalogSettings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Run ``bianmin-catalog calendar load`` on a file holding ``body``, against the test database."""
    monkeypatch.setenv("BIANMIN_CATALOG_DATABASE_URL", settings.database_url)

    def load(body: Any, *extra: str) -> None:
        path = tmp_path / "notice.json"
        path.write_text(body if isinstance(body, str) else json.dumps(body, ensure_ascii=False), encoding="utf-8")
        main(["calendar", "load", str(path), *extra])

    return load


def test_an_operator_loads_a_notice_from_a_file(run: Any, settings: CatalogSettings,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    run(MADE_UP, "--by", "张三")
    loaded = json.loads(capsys.readouterr().out)
    run(MADE_UP, "--by", "张三")
    again = json.loads(capsys.readouterr().out)
    versions, events = asyncio.run(stored(settings.database_url))
    assert (loaded["year"], loaded["version"], loaded["changed"], loaded["loaded_by"]) == (2031, 1, True, "cli:张三")
    assert [d["day"] for d in loaded["days"]] == ["2031-01-01", "2031-01-05"]
    assert (again["version"], again["changed"]) == (1, False)
    assert versions == [(1, MADE_UP["notice"], "cli:张三")]
    assert events == 1  # catalog.calendar.year_loaded, sent by the running service's relay


def test_a_bad_file_is_refused_naming_the_field_and_nothing_is_loaded(
        run: Any, settings: CatalogSettings, capsys: pytest.CaptureFixture[str]) -> None:
    weekday = {**MADE_UP, "days": [*MADE_UP["days"], {"day": "2031-01-06", "workday": True, "name": "元旦"}]}
    refusals = {"days.2.day": weekday, "year": {k: v for k, v in MADE_UP.items() if k != "year"},
                "notice": {**MADE_UP, "notice": ""}, "the file": "{not json"}
    for field, body in refusals.items():
        with pytest.raises(SystemExit) as exit_:
            run(body, "--by", "张三")
        assert exit_.value.code == 2, field
        assert field in capsys.readouterr().err, field
    with pytest.raises(SystemExit) as no_file:
        main(["calendar", "load", "/nonexistent/notice.json", "--by", "张三"])
    with pytest.raises(SystemExit) as nobody:
        run(MADE_UP)
    assert no_file.value.code == 2
    assert "/nonexistent/notice.json" in capsys.readouterr().err
    assert nobody.value.code == 2
    assert asyncio.run(stored(settings.database_url)) == ([], 0)
