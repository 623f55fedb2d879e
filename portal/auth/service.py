"""Login behind the throttle (portal.auth.throttle), opaque bearer tokens, and resolving a token to a
:class:`Caller`."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import utcnow
from infra.settings import get_settings
from portal.auth import throttle
from portal.auth.models import AuthToken, User
from portal.auth.passwords import verify_password
from tenancy.models import Unit
from tenancy.resolve import scope_for


@dataclass(frozen=True)
class LoginResult:
    token: str | None = None
    user: User | None = None
    retry_after: int | None = None
    throttled_by: str | None = None
    """Why the attempt was refused unchecked: ``throttle.ACCOUNT``, ``ADDRESS`` or ``BUSY``."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def attempt_login(session: Session, username: str, password: str, client: str | None) -> LoginResult:
    """Check a password tried from the client address ``client``.

    Security: the caller commits the session whatever the outcome (failures count). While the
    throttle delays this username from this address, or this address on any username, the password
    is not even checked: the answer carries only ``retry_after``. A failure never delays the same
    account at another address, so wrong passwords cannot lock its owner out.
    """
    settings = get_settings()
    throttled = throttle.check(session, username, client)
    if throttled is not None:
        return LoginResult(retry_after=throttled.retry_after, throttled_by=throttled.by)
    user = session.scalars(select(User).where(User.username == username.strip())).one_or_none()
    if (
        not verify_password(user.password_hash if user else None, password)
        or user is None
        or not user.is_active
    ):
        throttle.record_failure(session, username, client)
        return LoginResult()
    throttle.record_success(session, username, client)
    now = utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        AuthToken(
            token_hash=_digest(token),
            user_id=user.id,
            expires_at=now + timedelta(seconds=settings.token_ttl_seconds),
        )
    )
    return LoginResult(token=token, user=user)


def revoke(session: Session, token: str) -> None:
    row = session.get(AuthToken, _digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


def caller_for_token(session: Session, token: str) -> Caller | None:
    """The caller behind a live token, or None (unknown, expired, revoked, inactive account)."""
    row = session.execute(
        select(User, Unit)
        .join(AuthToken, AuthToken.user_id == User.id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(
            AuthToken.token_hash == _digest(token),
            AuthToken.revoked_at.is_(None),
            AuthToken.expires_at > utcnow(),
            User.is_active.is_(True),
        )
    ).one_or_none()
    if row is None:
        return None
    return _caller(*row)


def caller_for_user(session: Session, user_id: int) -> Caller | None:
    """The caller an account is now (role, unit and scope resolved again), or None if it is inactive
    or gone. Background jobs run as their requester through this, so a deactivated account's job stops."""
    row = session.execute(
        select(User, Unit)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.id == user_id, User.is_active.is_(True))
    ).one_or_none()
    if row is None:
        return None
    return _caller(*row)


def _caller(user: User, unit: Unit | None) -> Caller:
    """The account as a caller: its role held at its unit, and the scope resolved from them."""
    return Caller(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        unit=unit,
        scope=scope_for(user.role, unit.path if unit else None, user.is_active),
    )
