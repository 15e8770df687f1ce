"""Alembic environment of the gateway: its own tables plus the kit's (unused by the gateway, harmless)."""

from bianmin.gateway.models import Base
from bianmin.gateway.settings import GatewaySettings
from bianmin.kit.migrations import run_env

run_env(Base.metadata, default_url=lambda: GatewaySettings().database_url)
