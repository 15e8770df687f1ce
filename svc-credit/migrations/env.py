"""Alembic environment of the credit service: its own tables plus the kit's."""

from bianmin.credit.models import Base
from bianmin.credit.settings import CreditSettings
from bianmin.kit.migrations import run_env

run_env(Base.metadata, default_url=lambda: CreditSettings().database_url)
