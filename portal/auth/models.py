"""Accounts, login tokens and the login throttle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from infra.db import Base

ROLES = (
    "admin",
    "provincial_inspector",
    "hotline_officer",
    "district_officer",
    "commune_chairman",
    "ward_officer",
    "collaborator",
)


class User(Base):
    """A staff account. It holds one role at one unit and that unit's subtree; no role or unit: no access."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IS NULL OR role IN "
            "('admin','provincial_inspector','district_officer','ward_officer','collaborator',"
            "'commune_chairman','hotline_officer')",
            name="role",
        ),
        Index(
            "uq_users_email", text("lower(email)"), unique=True, postgresql_where=text("email IS NOT NULL")
        ),
        Index("uq_users_phone", "phone", unique=True, postgresql_where=text("phone IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(String(32))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    email: Mapped[str | None] = mapped_column(String(254))
    """Where one-time codes go when the manager may not hold them (portal.staff.delivery)."""
    phone: Mapped[str | None] = mapped_column(String(16))


class AuthToken(Base):
    """An opaque bearer token; only its SHA-256 is stored, so a database dump cannot be replayed."""

    __tablename__ = "auth_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginThrottle(Base):
    """Failed logins on one (lower-cased) username, known or not, from one client address.

    Only failing pairs are kept: a success deletes the row, and rows quiet for
    ``login_forget_seconds`` are deleted (portal.auth.throttle), so the table never says where
    anyone logged in from.
    """

    __tablename__ = "login_throttle"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LoginAddressThrottle(Base):
    """Failed logins from one client address on any usernames (stops one address spraying many)."""

    __tablename__ = "login_address_throttle"

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
