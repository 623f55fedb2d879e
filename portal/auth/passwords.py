"""Password hashing with argon2id.

Two parameter profiles, chosen by ``Settings.password_hash_profile`` (PASSWORD_HASH_PROFILE):

- ``production`` (the default, and the only one a deployment uses): argon2-cffi's defaults, the RFC 9106
  low-memory profile (time_cost=3, memory_cost=64 MiB, parallelism=4).
- ``test``: time_cost=1, memory_cost=8 KiB, parallelism=1, about a thousand times cheaper. Only
  tests/conftest.py selects it, explicitly, before the app is imported: the suite creates hundreds of
  accounts. It is never a fallback — an unknown profile name stops the start-up (infra/settings.py).

argon2 writes its parameters into every hash (``$argon2id$v=19$m=...,t=...,p=...$``) and verification
reads them from there, so a hash made under either profile verifies under both; only new hashes follow
the profile.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from infra.settings import get_settings

_PROFILES: dict[str, tuple[int, int, int]] = {  # time_cost, memory_cost (KiB), parallelism
    "production": (3, 65536, 4),
    "test": (1, 8, 1),
}


@cache
def hasher(profile: str) -> PasswordHasher:
    """The argon2id hasher of a profile (``production`` or ``test``)."""
    time_cost, memory_cost, parallelism = _PROFILES[profile]
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


@cache
def _dummy(profile: str) -> str:
    return hasher(profile).hash("dummy-password-for-timing")


def _profile() -> str:
    return get_settings().password_hash_profile


def hash_password(password: str) -> str:
    return hasher(_profile()).hash(unicodedata.normalize("NFC", password))  # typed NFC or NFD: one password


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (a missing hash checks a dummy of the profile)."""
    profile = _profile()
    try:
        password = unicodedata.normalize("NFC", password)
        return (
            hasher(profile).verify(password_hash or _dummy(profile), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False
