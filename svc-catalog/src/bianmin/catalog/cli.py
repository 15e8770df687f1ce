"""The catalog's own commands: ``sites import FILE`` imports a site file into the (migrated) database.

It does what ``POST /v1/sites/import`` does (domain.site_import), all or nothing, with the
districts of the process's settings (``BIANMIN_CATALOG_DISTRICTS``); the events of the sites it
changes wait in the outbox until the running service's relay publishes them. A ``.json`` file is
read as the route's JSON body, anything else as CSV. It prints what it did, or each problem as
``sites.<row>.<field>: reason`` on standard error and exits with status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bianmin.catalog.domain import site_import
from bianmin.catalog.domain.errors import SiteRefused
from bianmin.catalog.schemas import SiteCreate, SiteImportResult
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.cli import Command
from bianmin.kit.db import Database
from bianmin.kit.settings import ServiceSettings


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


COMMANDS = (Command("sites", "the district's sites: import a file of them", _site_arguments, _run_sites),)
