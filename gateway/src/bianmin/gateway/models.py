"""The gateway's own tables: API keys and OAuth2 clients, each stored with a hash of its secret only."""

from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bianmin.kit.db import make_base

Base: type[DeclarativeBase] = make_base()


class Credential:
    """What an API key and an OAuth2 client share: who holds it, what it may do, and its hashed secret."""

    name: Mapped[str] = mapped_column(String(200))
    tenant: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    secret_hash: Mapped[str] = mapped_column(String(64))
    rate_limit: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ApiKey(Credential, Base):  # type: ignore[valid-type, misc]
    """An API key ``bm_<id>_<secret>``: the id is public, the secret is kept only as a hash."""

    __tablename__ = "api_key"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)

    __table_args__ = (Index("ix_api_key_created_at_id", "created_at", "id"),)


class OAuthClient(Credential, Base):  # type: ignore[valid-type, misc]
    """An OAuth2 client of the client-credentials grant: its id is public, its secret kept as a hash."""

    __tablename__ = "oauth_client"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)

    __table_args__ = (Index("ix_oauth_client_created_at_id", "created_at", "id"),)
