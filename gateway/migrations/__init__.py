"""Alembic migrations of the gateway, installed as ``bianmin.gateway.migrations``."""
