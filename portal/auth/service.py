"""Login with a throttle, opaque bearer tokens, and resolving a token to a :class:`Caller`."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from infra.clock import utcnow
from infra.settings import get_settings
from portal.auth.caller import Caller
from portal.auth.models import AuthToken, LoginThrottle, User
from portal.auth.passwords import verify_password
from tenancy.models import Unit
from tenancy.resolve import scope_for


@dataclass(frozen=True)
class LoginResult:
    token: str | None = None
    user: User | None = None
    retry_after: int | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def attempt_login(session: Session, username: str, password: str) -> LoginResult:
    """Check a password. The caller commits the session whatever the outcome (failures count).

    After ``login_max_failures`` consecutive failures for a username (known or not) every
    attempt answers "locked" until the cool-down ends.
    """
    settings = get_settings()
    now = utcnow()
    key = username.strip().lower()[:64]
    session.execute(insert(LoginThrottle).values(username=key, failures=0).on_conflict_do_nothing())
    throttle = session.scalars(
        select(LoginThrottle).where(LoginThrottle.username == key).with_for_update()
    ).one()
    if throttle.locked_until is not None and throttle.locked_until > now:
        return LoginResult(retry_after=max(1, int((throttle.locked_until - now).total_seconds())))
    user = session.scalars(select(User).where(User.username == username.strip())).one_or_none()
    if (
        not verify_password(user.password_hash if user else None, password)
        or user is None
        or not user.is_active
    ):
        throttle.failures += 1
        if throttle.failures >= settings.login_max_failures:
            throttle.failures = 0
            throttle.locked_until = now + timedelta(seconds=settings.login_cooldown_seconds)
        return LoginResult()
    throttle.failures = 0
    throttle.locked_until = None
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
    user, unit = row
    return Caller(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        unit=unit,
        scope=scope_for(user.role, unit.path if unit else None, user.is_active),
    )
