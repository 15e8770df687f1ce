"""Alembic environment of the guarantee service: its own tables plus the kit's."""

from bianmin.guarantee.models import Base
from bianmin.guarantee.settings import GuaranteeSettings
from bianmin.kit.migrations import run_env

run_env(Base.metadata, default_url=lambda: GuaranteeSettings().database_url)
