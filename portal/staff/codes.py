"""One-time password codes: issued by a manager, shown once, stored as a digest, used once.

A code is 16 characters from an alphabet without look-alikes (no I, L, O, 0, 1), about 79 bits of
randomness, so it can be read out over the phone and still cannot be guessed within its lifetime;
that is also why a digest (SHA-256), not a slow hash, is enough to find it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from infra.clock import utcnow
from portal.auth.models import User
from portal.staff.models import PasswordCode

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 16
TTL = {
    "reset": timedelta(hours=1),  # a forgotten password: short
    "setup": timedelta(hours=72),  # a new account: the collaborator may first see the officer days later
}


@dataclass(frozen=True)
class IssuedCode:
    code: str
    purpose: str
    expires_at: datetime

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "purpose": self.purpose, "expires_at": self.expires_at.isoformat()}


def canonical(code: str) -> str:
    """What the user typed, as issued: case, spaces and dashes do not matter."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def digest(code: str) -> str:
    return hashlib.sha256(canonical(code).encode()).hexdigest()


def cancel_open_codes(session: Session, user_id: int) -> None:
    session.execute(
        update(PasswordCode)
        .where(
            PasswordCode.user_id == user_id,
            PasswordCode.used_at.is_(None),
            PasswordCode.cancelled_at.is_(None),
        )
        .values(cancelled_at=utcnow())
    )


def issue(
    session: Session, user_id: int, purpose: str, issued_by: int | None, notification_id: int | None = None
) -> IssuedCode:
    """A new code for the account; any code issued before for it stops working.

    ``notification_id``: the code is made by the worker for an outbox message (sent, never shown)."""
    cancel_open_codes(session, user_id)
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    code = "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))
    expires = utcnow() + TTL[purpose]
    session.add(
        PasswordCode(
            user_id=user_id,
            code_hash=digest(raw),
            purpose=purpose,
            issued_by=issued_by,
            expires_at=expires,
            notification_id=notification_id,
        )
    )
    return IssuedCode(code, purpose, expires)


def redeemable(session: Session, code: str) -> tuple[PasswordCode, User] | None:
    """The live code and its (active) account, locked; None if unknown, used, cancelled or expired."""
    if len(canonical(code)) != LENGTH:
        return None
    row = session.execute(
        select(PasswordCode, User)
        .join(User, User.id == PasswordCode.user_id)
        .where(
            PasswordCode.code_hash == digest(code),
            PasswordCode.used_at.is_(None),
            PasswordCode.cancelled_at.is_(None),
            PasswordCode.expires_at > utcnow(),
            User.is_active.is_(True),
        )
        .with_for_update(of=PasswordCode)
    ).one_or_none()
    return None if row is None else (row[0], row[1])
