"""Alembic environment of the catalog service: its own tables plus the kit's."""

from bianmin.catalog.models import Base
from bianmin.catalog.settings import CatalogSettings
from bianmin.kit.migrations import run_env

run_env(Base.metadata, default_url=lambda: CatalogSettings().database_url)
