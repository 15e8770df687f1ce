"""Alembic migrations of the queue service, installed as ``bianmin.queue.migrations``."""
