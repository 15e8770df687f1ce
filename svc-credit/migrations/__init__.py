"""Alembic migrations of the credit service, installed as ``bianmin.credit.migrations``."""
