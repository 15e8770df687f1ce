"""Alembic migrations of the catalog service, installed as ``bianmin.catalog.migrations``."""
