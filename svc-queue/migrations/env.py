"""Alembic environment of the queue service: its own tables plus the kit's."""

from bianmin.kit.migrations import run_env
from bianmin.queue.models import Base
from bianmin.queue.settings import QueueSettings

run_env(Base.metadata, default_url=lambda: QueueSettings().database_url)
