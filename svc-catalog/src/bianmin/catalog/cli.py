"""The catalog's own commands: ``bianmin-catalog calendar load FILE --by NAME``.

An operator loads a year's State Council notice from a JSON file (the body of ``PUT
/v1/calendar/years/{year}`` plus ``year``) straight into the catalog's database, through the same
domain function as the route: the same checks, a new version kept in the history with ``cli:NAME``
as who loaded it, and the ``catalog.calendar.year_loaded`` event in the outbox, which the running
service's relay sends. Run it where the service's ``BIANMIN_CATALOG_DATABASE_URL`` is set, after
``bianmin-catalog migrate``. It prints the year's version as JSON; a refusal names the field on
stderr and exits with status 2, with nothing loaded.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import NoReturn

from pydantic import ValidationError

from bianmin.catalog.domain.calendar import load_year
from bianmin.catalog.schemas import CalendarLoadRead, CalendarYearFile
from bianmin.kit.db import Database
from bianmin.kit.errors import DomainError
from bianmin.kit.settings import ServiceSettings

REFUSED = 2


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``calendar load`` to the service's command line."""
    calendar = commands.add_parser("calendar", help="the working-day calendar")
    actions = calendar.add_subparsers(dest="calendar_command", required=True)
    load = actions.add_parser("load", help="load a year's State Council notice from a JSON file",
                              description="The file holds {year, notice, days: [{day, workday, name}]}.")
    load.add_argument("file", help="the notice as JSON (UTF-8)")
    load.add_argument("--by", required=True, help="who is loading it (recorded as cli:NAME)")
    load.set_defaults(run=load_command)


def load_command(args: argparse.Namespace, settings: ServiceSettings) -> None:
    """Read, check and load the file; print the year's version, or refuse naming the field."""
    try:
        with open(args.file, encoding="utf-8") as handle:
            raw = json.load(handle)
    except (OSError, ValueError) as exc:
        refuse(f"the file {args.file} cannot be read as JSON: {exc}")
    try:
        notice = CalendarYearFile.model_validate(raw)
    except ValidationError as exc:
        refuse(*(f"{'.'.join(str(p) for p in e['loc']) or 'the file'}: {e['msg']}" for e in exc.errors()))
    try:
        answer = asyncio.run(load(settings.database_url, notice, by=f"cli:{args.by}"))
    except DomainError as exc:
        refuse(*(f"{e.field}: {e.reason}" for e in exc.errors or []), exc.detail or exc.title)
    print(json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, indent=2))


async def load(url: str, notice: CalendarYearFile, *, by: str) -> CalendarLoadRead:
    """Load the notice in one transaction of the database at ``url``."""
    db = Database(url)
    try:
        async with db.sessionmaker() as session:
            answer = await load_year(session, notice.year, notice, by=by, now=datetime.now(UTC))
            await session.commit()
            return answer
    finally:
        await db.dispose()


def refuse(*reasons: str) -> NoReturn:
    """Say why on stderr and exit with :data:`REFUSED`."""
    for reason in reasons:
        print(reason, file=sys.stderr)
    sys.exit(REFUSED)
