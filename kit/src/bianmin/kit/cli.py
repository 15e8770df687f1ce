"""The command line of every service: ``serve``, ``migrate`` and ``openapi``, and the commands a service adds.

A service adds its own commands through ``extend``: it adds subparsers, and each sets
``run=function(args, settings)`` as its default. Such a command is a one-off tool whose answer is
what it prints, so the service's JSON logging (on stdout) is not configured for it: its warnings
reach stderr through Python's default handler.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from fastapi import FastAPI

from bianmin.kit.logging import configure_logging
from bianmin.kit.migrations import upgrade
from bianmin.kit.serving import serve as serve_http
from bianmin.kit.settings import ServiceSettings


def service_main(name: str, settings_factory: Callable[[], ServiceSettings],
                 app_factory: Callable[[ServiceSettings], FastAPI], argv: list[str] | None = None, *,
                 extend: Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None] | None = None) -> None:
    """Run the command line of service ``name``; ``extend`` adds the service's own commands to the subparsers."""
    parser = argparse.ArgumentParser(prog=f"bianmin-{name}", description=f"The Bianmin {name} service.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="migrate the database, then serve HTTP")
    serve.add_argument("--no-migrate", action="store_true", help="do not migrate before serving")
    commands.add_parser("migrate", help="migrate the database to the newest revision")
    commands.add_parser("openapi", help="print the OpenAPI document")
    if extend is not None:
        extend(commands)
    args = parser.parse_args(argv)

    settings = settings_factory()
    if args.command == "openapi":
        print(json.dumps(app_factory(settings).openapi(), ensure_ascii=False, indent=2, sort_keys=True))
        return
    if getattr(args, "run", None) is not None:
        args.run(args, settings)
        return
    configure_logging(name, settings.log_level, json_lines=settings.log_json)
    if args.command == "migrate" or (args.command == "serve" and not args.no_migrate):
        upgrade(f"bianmin.{name}.migrations", settings.database_url)
    if args.command == "serve":
        serve_http(app_factory(settings), settings)
