"""The gateway's own tables: API keys and OAuth2 clients, accounts and their sign-in sessions.

Every secret is stored as a hash only: key and client secrets and refresh tokens as SHA-256 (they are
random and long), passwords as argon2id (people choose them). The TOTP secret is the exception: the
gateway must compute codes from it, so it is stored as is, and it is never shown after enrolment.
"""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
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


class Account(Base):  # type: ignore[valid-type, misc]
    """A person or organisation that signs in: staff, supervisor, expert, custodian, operator, enterprise, issuer."""

    __tablename__ = "account"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    totp_secret: Mapped[str | None] = mapped_column(String(128), nullable=True)  # sealed: domain/sealing.py
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_account_created_at_id", "created_at", "id"),)


class AccountRole(Base):  # type: ignore[valid-type, misc]
    """A role an account holds at a site (``*``: everywhere), optionally for one department."""

    __tablename__ = "account_role"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40))
    site: Mapped[str] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AccountParty(Base):  # type: ignore[valid-type, misc]
    """A party (credit code, issuer code) an account was bound to after proof: who verified it, and when."""

    __tablename__ = "account_party"

    account_id: Mapped[str] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    verified_by: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str] = mapped_column(Text)
    verified_at: Mapped[datetime]


class SignInSession(Base):  # type: ignore[valid-type, misc]
    """One sign-in: its access tokens name it, so revoking it stops them at once.

    ``account_id`` is null for a citizen signed in through the OIDC issuer (citizens have no account);
    ``citizen_id`` and ``citizen_name`` then name the subject.
    """

    __tablename__ = "sign_in_session"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), nullable=True,
                                                   index=True)
    citizen_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    citizen_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    second_factor: Mapped[bool] = mapped_column(Boolean, default=False)
    method: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(nullable=True)


class RefreshToken(Base):  # type: ignore[valid-type, misc]
    """Every refresh token a session was given, as a hash: a used one shown again revokes its session."""

    __tablename__ = "refresh_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sign_in_session.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)


class CitizenAssertionKey(Base):  # type: ignore[valid-type, misc]
    """The public key with which an API key's app signs assertions for the citizens it acts for."""

    __tablename__ = "citizen_assertion_key"

    key_id: Mapped[str] = mapped_column(ForeignKey("api_key.id", ondelete="CASCADE"), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(10))
    public_key: Mapped[str] = mapped_column(Text)
    registered_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class SeenAssertion(Base):  # type: ignore[valid-type, misc]
    """An assertion's ``jti`` until its expiry, in the database so that every replica refuses its replay."""

    __tablename__ = "seen_assertion"

    issuer: Mapped[str] = mapped_column(String(32), primary_key=True)
    jti: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
