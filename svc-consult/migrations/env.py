"""Alembic environment of the consult service: its own tables plus the kit's."""

from bianmin.consult.models import Base
from bianmin.consult.settings import ConsultSettings
from bianmin.kit.migrations import run_env

run_env(Base.metadata, default_url=lambda: ConsultSettings().database_url)
