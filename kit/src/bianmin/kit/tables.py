"""The tables the kit keeps in every service's database: outbox, inbox, idempotency, calendar, sites, access log.

They live in their own MetaData; each service's first migration creates them through
:func:`bianmin.kit.migrations.create_kit_tables` (the access log, added later, through
:func:`bianmin.kit.migrations.create_access_log`), and its Alembic environment compares both
MetaData objects with the database so that drift in either fails the migration test. The calendar's
years and the site registry came later too (:func:`bianmin.kit.migrations.create_registry_tables`).
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, Index, Integer, String, Table, Text

from bianmin.kit.db import UTCDateTime, new_metadata

kit_metadata = new_metadata()

outbox_event = Table(
    "outbox_event", kit_metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("published_at", UTCDateTime(), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text, nullable=True),
    Index("ix_outbox_event_pending", "published_at", "seq"),
)

inbox_event = Table(
    "inbox_event", kit_metadata,
    Column("consumer", String(100), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("subject", String(200), nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
)

idempotency_record = Table(
    "idempotency_record", kit_metadata,
    Column("owner", String(100), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("method", String(10), nullable=False),
    Column("path", String(500), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response_body", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_idempotency_record_created_at", "created_at"),
)

calendar_override = Table(
    "calendar_override", kit_metadata,
    Column("day", Date, primary_key=True),
    Column("workday", Boolean, nullable=False),
    Column("note", String(200), nullable=False, server_default=""),
    Column("updated_at", UTCDateTime(), nullable=False),
)

calendar_year = Table(
    "calendar_year", kit_metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
    Column("notice", String(200), nullable=False),
    Column("days", JSON, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("loaded_by", String(100), nullable=False),
    Column("loaded_at", UTCDateTime(), nullable=False),
)
"""One row per year the calendar knows: the notice's days as ``[[iso date, workday, name], ...]``."""

site_registry = Table(
    "site_registry", kit_metadata,
    Column("code", String(20), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("level", String(20), nullable=False),
    Column("parent_code", String(20), nullable=True),
    Column("tenant", String(20), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
"""The district's sites as the catalog announces them (``catalog.site.changed``)."""

personal_data_access = Table(
    "personal_data_access", kit_metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("app", String(100), nullable=False),
    Column("subject_kind", String(20), nullable=True),
    Column("subject_id", String(100), nullable=True),
    Column("action", String(200), nullable=False),
    Column("resource", String(200), nullable=False),
    Column("site_code", String(20), nullable=True),
    Column("fields", JSON, nullable=False),
    Column("purpose", String(200), nullable=False),
    Index("ix_personal_data_access_at", "at", "id"),
)
