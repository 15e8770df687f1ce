"""The catalog's own commands: ``sites import FILE`` and ``calendar load FILE --by NAME``.

Both write straight into the catalog's (migrated) database through the same domain functions as
their routes, all or nothing, and their events wait in the outbox until the running service's relay
publishes them. Run them where the service's ``BIANMIN_CATALOG_DATABASE_URL`` (and, for sites,
``BIANMIN_CATALOG_DISTRICTS``) is set, after ``bianmin-catalog migrate``.

- ``sites import FILE`` does what ``POST /v1/sites/import`` does (domain.site_import). A ``.json``
  file is read as the route's JSON body, anything else as CSV. It prints what it did, or each
  problem as ``sites.<row>.<field>: reason`` on standard error and exits with status 1.
- ``calendar load FILE --by NAME`` loads a year's State Council notice from a JSON file (the body
  of ``PUT /v1/calendar/years/{year}`` plus ``year``): the same checks, a new version kept in the
  history with ``cli:NAME`` as who loaded it, and the ``catalog.calendar.year_loaded`` event. It
  prints the year's version as JSON; a refusal names the field on stderr and exits with status 2,
  with nothing loaded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from bianmin.catalog.domain import site_import
from bianmin.catalog.domain.calendar import load_year
from bianmin.catalog.domain.errors import SiteRefused
from bianmin.catalog.schemas import CalendarLoadRead, CalendarYearFile, SiteCreate, SiteImportResult
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.cli import Command
from bianmin.kit.db import Database
from bianmin.kit.errors import DomainError
from bianmin.kit.settings import ServiceSettings

REFUSED = 2


def _site_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    load = actions.add_parser("import", help="import a CSV or JSON file of sites, all or nothing")
    load.add_argument("file", type=Path, help="the site file (.json: {\"sites\": [...]}; otherwise CSV)")


def read_file(path: Path) -> list[SiteCreate]:
    """The sites of a file: JSON for a ``.json`` file, CSV otherwise (422-style problems raised as SiteRefused)."""
    data = path.read_bytes()
    return site_import.from_json(data) if path.suffix.lower() == ".json" else site_import.from_csv(data)


async def import_rows(settings: CatalogSettings, rows: list[SiteCreate]) -> SiteImportResult:
    """Import the sites of one file into the settings' database in one transaction."""
    db = Database(settings.database_url)
    try:
        async with db.sessionmaker() as session:
            result = await site_import.import_sites(session, rows, districts=settings.districts,
                                                    now=datetime.now(UTC))
            await session.commit()
            return result
    finally:
        await db.dispose()


def _run_sites(settings: ServiceSettings, args: argparse.Namespace) -> int:
    assert isinstance(settings, CatalogSettings)
    try:
        result = asyncio.run(import_rows(settings, read_file(args.file)))
    except SiteRefused as exc:
        for problem in exc.errors or []:
            print(f"{problem.field}: {problem.reason}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")
    return 0


def _calendar_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    load = actions.add_parser("load", help="load a year's State Council notice from a JSON file",
                              description="The file holds {year, notice, days: [{day, workday, name}]}.")
    load.add_argument("file", help="the notice as JSON (UTF-8)")
    load.add_argument("--by", required=True, help="who is loading it (recorded as cli:NAME)")


def _run_calendar(settings: ServiceSettings, args: argparse.Namespace) -> int:
    """Read, check and load the file; print the year's version, or refuse naming the field."""
    try:
        with open(args.file, encoding="utf-8") as handle:
            raw = json.load(handle)
    except (OSError, ValueError) as exc:
        return _refuse(f"the file {args.file} cannot be read as JSON: {exc}")
    try:
        notice = CalendarYearFile.model_validate(raw)
    except ValidationError as exc:
        return _refuse(*(f"{'.'.join(str(p) for p in e['loc']) or 'the file'}: {e['msg']}" for e in exc.errors()))
    try:
        answer = asyncio.run(load_notice(settings.database_url, notice, by=f"cli:{args.by}"))
    except DomainError as exc:
        return _refuse(*(f"{e.field}: {e.reason}" for e in exc.errors or []), exc.detail or exc.title)
    print(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, indent=2))
    return 0


async def load_notice(url: str, notice: CalendarYearFile, *, by: str) -> CalendarLoadRead:
    """Load the notice in one transaction of the database at ``url``."""
    db = Database(url)
    try:
        async with db.sessionmaker() as session:
            answer = await load_year(session, notice.year, notice, by=by, now=datetime.now(UTC))
            await session.commit()
            return answer
    finally:
        await db.dispose()


def _refuse(*reasons: str) -> int:
    for reason in reasons:
        print(reason, file=sys.stderr)
    return REFUSED


COMMANDS = (Command("sites", "the district's sites: import a file of them", _site_arguments, _run_sites),
            Command("calendar", "the working-day calendar: load a year's notice", _calendar_arguments, _run_calendar))
