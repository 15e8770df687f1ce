"""Alembic, one chain per service, run from code or from the service folder's ``alembic.ini``.

A service's ``migrations/`` folder is installed as the package ``bianmin.<service>.migrations`` so
that an installed service can migrate its own database (``bianmin-<service> migrate``). The
environment compares the database with the service's MetaData *and* the kit's (outbox, inbox,
idempotency), with ``render_as_batch`` so that ALTERs work on SQLite.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from alembic import command, context, op
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from bianmin.kit.db import create_engine
from bianmin.kit.tables import (
    calendar_override,
    calendar_year,
    idempotency_record,
    inbox_event,
    kit_metadata,
    outbox_event,
    personal_data_access,
    site_registry,
)

MIGRATION_LOCK = 0x6269616E6D696E  # "bianmin": one advisory lock key for every service's database


def alembic_config(package: str, url: str) -> Config:
    """An Alembic configuration for the migrations package of a service and a database URL."""
    config = Config()
    config.set_main_option("script_location", str(files(package)))
    config.set_main_option("file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(slug)s")
    config.attributes["url"] = url
    return config


def upgrade(package: str, url: str, revision: str = "head") -> None:
    """Migrate a database to ``revision``; call from synchronous code (or ``asyncio.to_thread``)."""
    command.upgrade(alembic_config(package, url), revision)


def _configure_and_run(connection: Connection, metadata: list[MetaData]) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_env(metadata: MetaData, default_url: Callable[[], str]) -> None:
    """The body of a service's ``migrations/env.py``."""
    url = context.config.attributes.get("url") or context.config.get_main_option("sqlalchemy.url") or default_url()
    targets = [metadata, kit_metadata]
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=targets, render_as_batch=True, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    async def online() -> None:
        engine = create_engine(url)
        async with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # Replicas starting together on a fresh database: the second waits, then finds
                # nothing left to do, instead of failing on tables the first one created.
                await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                await connection.commit()
            await connection.run_sync(_configure_and_run, targets)
        await engine.dispose()

    asyncio.run(online())


def create_kit_tables() -> None:
    """Create the kit's tables exactly as :mod:`bianmin.kit.tables` declares them (first migration)."""
    bind = op.get_bind()
    for table in (outbox_event, inbox_event, idempotency_record, calendar_override):
        table.create(bind)


def drop_kit_tables() -> None:
    """Drop the kit's tables (the first migration's downgrade)."""
    bind = op.get_bind()
    for table in (calendar_override, idempotency_record, inbox_event, outbox_event):
        table.drop(bind)


def create_access_log() -> None:
    """Create the personal-data access log (:mod:`bianmin.kit.access_log`), in its own revision of each service."""
    personal_data_access.create(op.get_bind())


def drop_access_log() -> None:
    """Drop the personal-data access log (that revision's downgrade)."""
    personal_data_access.drop(op.get_bind())


def drift(url: str, metadata: MetaData) -> list[Any]:
    """The differences between a migrated database and the models; empty when they agree."""

    async def compare() -> list[Any]:
        engine = create_engine(url)
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}),
                                              [metadata, kit_metadata]))
        await engine.dispose()
        return list(diff)

    return asyncio.run(compare())


def create_registry_tables() -> None:
    """Create the calendar's years and the site registry, and load the bundled years (their own revision).

    The years the ``chinese-calendar`` package knows are the starting data of every service's copy,
    so a service computes working days before it has heard from the catalog; each copy then
    follows the catalog's ``catalog.calendar.year_loaded`` events.
    """
    from bianmin.kit.calendar import bundled_rows

    calendar_year.create(op.get_bind())
    site_registry.create(op.get_bind())
    op.bulk_insert(calendar_year, bundled_rows())


def drop_registry_tables() -> None:
    """Drop the calendar's years and the site registry (that revision's downgrade)."""
    site_registry.drop(op.get_bind())
    calendar_year.drop(op.get_bind())
