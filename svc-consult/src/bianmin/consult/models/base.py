"""The declarative base of the consult service and its identifier factory."""

import uuid

from sqlalchemy.orm import DeclarativeBase

from bianmin.kit.db import make_base

Base: type[DeclarativeBase] = make_base()


def new_id() -> str:
    """A fresh opaque identifier (32 hex characters)."""
    return uuid.uuid4().hex
