"""The declarative base of the queue service's tables, with the kit's naming convention and types."""

from sqlalchemy.orm import DeclarativeBase

from bianmin.kit.db import make_base

Base: type[DeclarativeBase] = make_base()
