"""The declarative base every webhooks table derives from: its own MetaData under the kit's naming
convention, so that migrations name constraints alike on SQLite and PostgreSQL."""

from sqlalchemy.orm import DeclarativeBase

from bianmin.kit.db import make_base

Base: type[DeclarativeBase] = make_base()
