"""Password hashing with argon2id (argon2-cffi defaults, RFC 9106 low-memory profile)."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(unicodedata.normalize("NFC", password))  # Vietnamese typed NFC or NFD: one password


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (a missing hash checks a dummy)."""
    try:
        password = unicodedata.normalize("NFC", password)
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
