"""The command line of every service: ``serve``, ``migrate`` and ``openapi``, and any commands a service adds.

A service's own command is a one-off tool whose answer is what it prints, so the service's JSON
logging (on stdout) is not configured for it: its warnings reach stderr through Python's default
handler.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fastapi import FastAPI

from bianmin.kit.logging import configure_logging
from bianmin.kit.migrations import upgrade
from bianmin.kit.serving import serve as serve_http
from bianmin.kit.settings import ServiceSettings


@dataclass(frozen=True)
class Command:
    """A command a service adds beside the common ones: its arguments, and what it runs (its exit status)."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[ServiceSettings, argparse.Namespace], int]


def service_main(name: str, settings_factory: Callable[[], ServiceSettings],
                 app_factory: Callable[[ServiceSettings], FastAPI], argv: list[str] | None = None,
                 commands: Sequence[Command] = ()) -> None:
    """Run the command line of service ``name``; a command of its own that fails exits with its status."""
    parser = argparse.ArgumentParser(prog=f"bianmin-{name}", description=f"The Bianmin {name} service.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    serve = subparsers.add_parser("serve", help="migrate the database, then serve HTTP")
    serve.add_argument("--no-migrate", action="store_true", help="do not migrate before serving")
    subparsers.add_parser("migrate", help="migrate the database to the newest revision")
    subparsers.add_parser("openapi", help="print the OpenAPI document")
    own = {command.name: command for command in commands}
    for command in commands:
        command.arguments(subparsers.add_parser(command.name, help=command.help))
    args = parser.parse_args(argv)

    settings = settings_factory()
    if args.command == "openapi":
        print(json.dumps(app_factory(settings).openapi(), ensure_ascii=False, indent=2, sort_keys=True))
        return
    if args.command in own:
        status = own[args.command].run(settings, args)
        if status:
            sys.exit(status)
        return
    configure_logging(name, settings.log_level, json_lines=settings.log_json)
    if args.command == "migrate" or (args.command == "serve" and not args.no_migrate):
        upgrade(f"bianmin.{name}.migrations", settings.database_url)
    if args.command == "serve":
        serve_http(app_factory(settings), settings)
