"""Alembic migrations of the guarantee service, installed as ``bianmin.guarantee.migrations``."""
