"""The declarative base of the credit service's tables (the kit's naming convention and column types)."""

from sqlalchemy.orm import DeclarativeBase

from bianmin.kit.db import make_base

Base: type[DeclarativeBase] = make_base()
