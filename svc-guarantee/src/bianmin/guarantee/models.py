"""The guarantee service's tables. The kit's outbox, inbox and idempotency tables sit beside them."""

from sqlalchemy.orm import DeclarativeBase

from bianmin.kit.db import make_base

Base: type[DeclarativeBase] = make_base()
