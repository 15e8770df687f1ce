"""``bianmin-gateway``: serve, migrate, print the OpenAPI document, and manage keys, clients and accounts.

``keys create`` prints the new key alone on standard output (details go to standard error), so
``KEY=$(bianmin-gateway keys create ...)`` captures it; ``--json`` prints the whole record instead.
Key and client commands migrate the database first, so the very first admin key can be created
on a fresh install before the gateway has ever served. ``accounts create`` likewise makes the first
operator account (``--role operator@* --totp``): its generated password and TOTP URI are printed once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from bianmin.gateway.app import create_app
from bianmin.gateway.domain import accounts, credentials
from bianmin.gateway.domain.sealing import TotpSealer
from bianmin.gateway.models import ApiKey, OAuthClient
from bianmin.gateway.schemas import AccountCreate, ClientCreate, ClientRead, KeyCreate, KeyRead, RoleHeld
from bianmin.gateway.settings import GatewaySettings
from bianmin.kit.db import Database
from bianmin.kit.errors import DomainError, NotFound
from bianmin.kit.identity import Principal
from bianmin.kit.logging import configure_logging
from bianmin.kit.migrations import upgrade
from bianmin.kit.serving import serve

MIGRATIONS = "bianmin.gateway.migrations"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bianmin-gateway", description="The Bianmin gateway.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="migrate the database, then serve HTTP")
    serve.add_argument("--no-migrate", action="store_true", help="do not migrate before serving")
    commands.add_parser("migrate", help="migrate the database to the newest revision")
    commands.add_parser("openapi", help="print the gateway's own OpenAPI document")
    for noun in ("keys", "clients"):
        group = commands.add_parser(noun, help=f"manage {'API keys' if noun == 'keys' else 'OAuth2 clients'}")
        actions = group.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create one; its secret is printed this once")
        create.add_argument("--name", required=True)
        create.add_argument("--tenant", required=True, help="a site code, or '*' for the whole district")
        create.add_argument("--scopes", default="", help="comma-separated, e.g. queue:write,cockpit:read")
        create.add_argument("--rate-limit", default=None, help="own limit, e.g. 100/minute (default: the gateway's)")
        create.add_argument("--json", action="store_true", help="print the whole record as JSON")
        listing = actions.add_parser("list", help="list them (secrets are never shown)")
        listing.add_argument("--json", action="store_true", help="print JSON lines")
        revoke = actions.add_parser("revoke", help="revoke one for good")
        revoke.add_argument("id")
    people = commands.add_parser("accounts", help="manage people's accounts").add_subparsers(dest="action", required=True)
    create = people.add_parser("create", help="create one; a generated password and the TOTP URI are printed once")
    create.add_argument("--username", required=True)
    create.add_argument("--kind", required=True, choices=accounts.ACCOUNT_KINDS)
    create.add_argument("--name", required=True, help="the display name")
    create.add_argument("--role", action="append", default=[], metavar="ROLE@SITE[/DEPARTMENT]",
                        help="a role held at a site, e.g. clerk@330199001 or operator@*; repeat for more")
    create.add_argument("--password", default=None, help="the first password (default: a generated one)")
    create.add_argument("--totp", action="store_true", help="enrol a TOTP secret too")
    create.add_argument("--json", action="store_true", help="print the result as JSON")
    listing = people.add_parser("list", help="list accounts (no secrets)")
    listing.add_argument("--json", action="store_true", help="print JSON lines")
    for action, text in (("password", "reset the password (a generated one is printed)"),
                         ("totp", "enrol a new TOTP secret (its URI is printed)"),
                         ("disable", "refuse its sign-ins and end its sessions"), ("enable", "let it sign in again")):
        people.add_parser(action, help=text).add_argument("username")
    return parser


def _run(database_url: str, work: Callable[[Any], Coroutine[Any, Any, int]]) -> int:
    async def go() -> int:
        db = Database(database_url)
        try:
            async with db.sessionmaker() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(go())


def _create(args: argparse.Namespace, settings: GatewaySettings) -> int:
    scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
    model = KeyCreate if args.command == "keys" else ClientCreate
    try:
        body = model(name=args.name, tenant=args.tenant, scopes=scopes, rate_limit=args.rate_limit)
    except ValidationError as exc:
        for error in exc.errors():
            print(f"{'.'.join(map(str, error['loc']))}: {error['msg']}", file=sys.stderr)
        return 2

    async def work(session: Any) -> int:
        create = credentials.create_key if args.command == "keys" else credentials.create_client
        issued = await create(session, name=body.name, tenant=body.tenant, scopes=body.scopes,
                              rate_limit=body.rate_limit, now=datetime.now(UTC))
        await session.commit()
        if args.command == "keys":
            record = KeyRead.model_validate(issued.record).model_dump(mode="json")
            secret_field, secret = "key", issued.key
        else:
            record = ClientRead.model_validate(issued.record).model_dump(mode="json")
            secret_field, secret = "client_secret", issued.secret
        if args.json:
            print(json.dumps({**record, secret_field: secret}, ensure_ascii=False))
        else:
            ident = record.get("id") or record.get("client_id")
            print(f"Created {args.command[:-1]} {ident} ({record['name']}, tenant {record['tenant']}, "
                  f"scopes {','.join(record['scopes']) or '-'}). The secret below is shown this once.", file=sys.stderr)
            if args.command == "clients":
                print(f"client_id={ident}")
                print(f"client_secret={secret}")
            else:
                print(secret)
        return 0

    return _run(settings.database_url, work)


def _list(args: argparse.Namespace, settings: GatewaySettings) -> int:
    model = ApiKey if args.command == "keys" else OAuthClient
    reader: TypeAdapter[Any] = TypeAdapter(KeyRead if args.command == "keys" else ClientRead)

    async def work(session: Any) -> int:
        after = None
        while True:
            rows, after = await credentials.page(session, model, limit=200, after=after)
            for row in rows:
                item = reader.validate_python(row, from_attributes=True).model_dump(mode="json")
                if args.json:
                    print(json.dumps(item, ensure_ascii=False))
                else:
                    ident = item.get("id") or item.get("client_id")
                    state = f"revoked {item['revoked_at']}" if item["revoked_at"] else "active"
                    print(f"{ident}\t{item['name']}\t{item['tenant']}\t{','.join(item['scopes'])}\t"
                          f"{item['rate_limit'] or 'default'}\t{state}")
            if after is None:
                return 0

    return _run(settings.database_url, work)


def _revoke(args: argparse.Namespace, settings: GatewaySettings) -> int:
    model = ApiKey if args.command == "keys" else OAuthClient

    async def work(session: Any) -> int:
        try:
            record = await credentials.get(session, model, args.id)
        except NotFound as exc:
            print(exc.detail, file=sys.stderr)
            return 1
        await credentials.revoke(session, record, now=datetime.now(UTC))
        await session.commit()
        print(f"Revoked {args.id}.", file=sys.stderr)
        return 0

    return _run(settings.database_url, work)


def _role(text: str) -> RoleHeld:
    role, _, rest = text.partition("@")
    site, _, department = rest.partition("/")
    return RoleHeld(role=role, site=site, department=department or None)


def _sealer(settings: GatewaySettings) -> TotpSealer:
    """The sealer of TOTP secrets, keyed as the serving gateway's (its internal secret)."""
    return TotpSealer(settings.internal_secret.get_secret_value())


def _problem(exc: DomainError) -> int:
    print(exc.detail or exc.title, file=sys.stderr)
    return 1


def _account_create(args: argparse.Namespace, settings: GatewaySettings) -> int:
    try:
        body = AccountCreate(username=args.username, kind=args.kind, display_name=args.name, password=args.password,
                             roles=[_role(r) for r in args.role])
    except ValidationError as exc:
        for error in exc.errors():
            print(f"{'.'.join(map(str, error['loc']))}: {error['msg']}", file=sys.stderr)
        return 2

    async def work(session: Any) -> int:
        password = body.password or accounts.new_password()
        try:
            account = await accounts.create(session, username=body.username, kind=body.kind,
                                            display_name=body.display_name, password=password,
                                            roles=[accounts.RoleGrant(r.role, r.site, r.department) for r in body.roles],
                                            now=datetime.now(UTC))
        except DomainError as exc:
            return _problem(exc)
        uri = accounts.enrol_totp(account, _sealer(settings))[0] if args.totp else None
        await session.commit()
        shown = {"id": account.id, "username": account.username, "kind": account.kind,
                 "password": None if body.password else password, "otpauth_uri": uri}
        if args.json:
            print(json.dumps(shown, ensure_ascii=False))
        else:
            print(f"Created account {account.username} ({account.kind}). Secrets below are shown this once.",
                  file=sys.stderr)
            print("\n".join(f"{k}={v}" for k, v in shown.items() if k in ("password", "otpauth_uri") and v))
        return 0

    return _run(settings.database_url, work)


def _account_list(args: argparse.Namespace, settings: GatewaySettings) -> int:
    async def work(session: Any) -> int:
        operator = Principal(key_id="cli", tenant="*", scopes=frozenset({"admin"}))
        after = None
        while True:
            rows, after = await accounts.page(session, limit=200, after=after, admin=operator)
            for row in rows:
                roles = [f"{r.role}@{r.site}{'/' + r.department if r.department else ''}"
                         for r in await accounts.roles_of(session, row.id)]
                state = "disabled" if row.disabled_at else "active"
                item = {"id": row.id, "username": row.username, "kind": row.kind, "name": row.display_name,
                        "roles": roles, "state": state}
                print(json.dumps(item, ensure_ascii=False) if args.json else
                      f"{row.username}\t{row.kind}\t{','.join(roles) or '-'}\t{state}")
            if after is None:
                return 0

    return _run(settings.database_url, work)


def _account_change(args: argparse.Namespace, settings: GatewaySettings) -> int:
    async def work(session: Any) -> int:
        account = await accounts.by_username(session, args.username.strip().lower())
        if account is None:
            print(f"No account {args.username}.", file=sys.stderr)
            return 1
        now = datetime.now(UTC)
        shown = None
        if args.action == "password":
            shown = accounts.new_password()
            await accounts.reset_password(session, account, shown, now=now)
        elif args.action == "totp":
            shown = accounts.enrol_totp(account, _sealer(settings))[0]
        else:
            await accounts.set_disabled(session, account, args.action == "disable", now=now)
        await session.commit()
        if shown is not None:
            print(shown)
        print(f"Account {account.username}: {args.action} done.", file=sys.stderr)
        return 0

    return _run(settings.database_url, work)


def main(argv: list[str] | None = None, settings: GatewaySettings | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    settings = settings or GatewaySettings()
    if args.command == "openapi":
        print(json.dumps(create_app(settings).openapi(), ensure_ascii=False, indent=2, sort_keys=True))
        return 0
    if args.command in ("keys", "clients"):
        upgrade(MIGRATIONS, settings.database_url)
        return {"create": _create, "list": _list, "revoke": _revoke}[args.action](args, settings)
    if args.command == "accounts":
        upgrade(MIGRATIONS, settings.database_url)
        handler = {"create": _account_create, "list": _account_list}.get(args.action, _account_change)
        return handler(args, settings)
    configure_logging("gateway", settings.log_level, json_lines=settings.log_json)
    # httpx logs every upstream request at INFO: one line per proxied request, on top of the gateway's own.
    for chatty in ("httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))
    if args.command == "migrate" or not args.no_migrate:
        upgrade(MIGRATIONS, settings.database_url)
    if args.command == "serve":
        # Trusted proxies (an edge proxy) carry many clients each: they have the global connection cap only.
        serve(create_app(settings), settings, exempt=settings.trusted_proxies)
    return 0
