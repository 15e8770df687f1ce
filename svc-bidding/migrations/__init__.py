"""Alembic migrations of the bidding service, installed as ``bianmin.bidding.migrations``."""
