"""Alembic environment of the webhooks service: its own tables plus the kit's."""

from bianmin.kit.migrations import run_env
from bianmin.webhooks.models import Base
from bianmin.webhooks.settings import WebhooksSettings

run_env(Base.metadata, default_url=lambda: WebhooksSettings().database_url)
