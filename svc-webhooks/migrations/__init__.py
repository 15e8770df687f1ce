"""Alembic migrations of the webhooks service, installed as ``bianmin.webhooks.migrations``."""
