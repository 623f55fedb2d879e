"""Login behind the throttle (portal.auth.throttle), opaque bearer tokens, and resolving a token to a
:class:`Caller`."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, make_transient_to_detached

from authz.caller import Caller
from infra.clock import utcnow
from infra.db import PREFACE_KEY, PREFACE_ROWS, SCOPE_KEY, USER_KEY, literal, set_scope
from infra.settings import get_settings
from portal.auth import throttle
from portal.auth.models import AuthToken, User
from portal.auth.passwords import verify_password
from tenancy.models import Unit
from tenancy.resolve import scope_for
from tenancy.scope import NO_SCOPE, Scope


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


_UNIT_COLUMNS = tuple(c.name for c in Unit.__table__.columns)
_KNOWN_MAX = 20_000
_known: dict[str, tuple[tuple[object, ...], Scope, int]] = {}
"""Token digest -> the caller row last seen for it, with the scope and user id it gave (this process)."""


def _caller_query(digest: str) -> str:
    """The account and unit behind a live token: one row, or none (unknown, expired, revoked, inactive).

    ``token_caller`` (migration 0019) keeps its plan for the connection's life; its columns are the
    account's, then the unit's in the order of ``_UNIT_COLUMNS``."""
    return f"SELECT * FROM token_caller({literal(digest)}, {literal(utcnow())})"


def _caller_of_row(row: tuple[object, ...]) -> Caller:
    user_id, username, full_name, role, active = row[:5]
    unit_values = dict(zip(_UNIT_COLUMNS, row[5:], strict=True))
    unit = None
    if unit_values["id"] is not None:
        unit = Unit(**unit_values)
        make_transient_to_detached(unit)  # a row of the database, not a new one to insert
    return _caller(int(user_id), str(username), str(full_name), role, bool(active), unit)  # type: ignore[call-overload]


def authenticate(session: Session, token: str) -> Caller | None:
    """The caller behind ``token``, checked in the first round trip of ``session``'s transaction.

    The check travels with BEGIN and the scope (``infra.db`` preface). The scope sent is the one this
    process saw for the token last time; if the account, its unit or the token changed since (or the
    token is new here), the scope is set again before anything else runs. Nothing is trusted from the
    memory of earlier requests but which scope to try first: a revoked token, a deactivated account or
    a changed role is seen by the very next request. None: the caller must roll back and refuse.
    """
    digest = _digest(token)
    known = _known.get(digest)
    session.info[SCOPE_KEY], session.info[USER_KEY] = (known[1], known[2]) if known else (NO_SCOPE, None)
    session.info[PREFACE_KEY] = _caller_query(digest)
    session.connection()  # BEGIN, the scope and the check: one message
    rows = session.info.pop(PREFACE_ROWS, None) or []
    if not rows:
        _known.pop(digest, None)
        return None
    row = tuple(rows[0])
    caller = _caller_of_row(row)
    if known is None or known[0] != row:
        session.info[SCOPE_KEY], session.info[USER_KEY] = caller.scope, caller.user_id
        set_scope(session)
        if len(_known) >= _KNOWN_MAX:
            _known.pop(next(iter(_known)), None)
        _known[digest] = (row, caller.scope, caller.user_id)
    if caller.unit is not None:
        # The caller's unit was read in this transaction: later gets of it need no statement of their own.
        # (The session holds its objects weakly: the reference in ``info`` keeps this one.)
        session.info["caller_unit"] = session.merge(caller.unit, load=False)
    return caller


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
    user, unit = row
    return _caller(user.id, user.username, user.full_name, user.role, user.is_active, unit)


def _caller(
    user_id: int, username: str, full_name: str, role: object, active: bool, unit: Unit | None
) -> Caller:
    """The account as a caller: its role held at its unit, and the scope resolved from them."""
    held = role if isinstance(role, str) else None
    return Caller(
        user_id=user_id,
        username=username,
        full_name=full_name,
        role=held,
        unit=unit,
        scope=scope_for(held, unit.path if unit else None, active),
    )


def token_expires_at(session: Session, token: str) -> datetime | None:
    """When the session behind ``token`` ends (None: unknown or revoked): the offline app wipes then."""
    row = session.get(AuthToken, _digest(token))
    return None if row is None or row.revoked_at is not None else row.expires_at
