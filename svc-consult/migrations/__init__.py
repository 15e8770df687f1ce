"""Alembic migrations of the consult service, installed as ``bianmin.consult.migrations``."""
