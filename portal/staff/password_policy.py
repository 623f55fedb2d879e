"""The password policy: at least 10 characters, not the username, not a common password.

Vietnamese letters are welcome. Passwords are compared and hashed in Unicode NFC, so "Mật khẩu"
typed with a composing keyboard (NFD) and with a precomposed one (NFC) is the same password.
"""

from __future__ import annotations

import unicodedata

from infra.errors import FieldError
from portal.registry.text import fold

MIN_LENGTH = 10
MAX_LENGTH = 128  # hashing cost stays bounded; a passphrase of a few Vietnamese sentences still fits

# Checked after folding (lower case, no accents, single spaces) and without spaces, so "Mật khẩu 123"
# and "matkhau123" are both refused. Short ones are already refused by the length rule.
COMMON = frozenset(
    {
        "1234567890",
        "0123456789",
        "12345678910",
        "123456789a",
        "1234567890a",
        "a123456789",
        "1111111111",
        "0000000000",
        "1234512345",
        "1122334455",
        "abcd123456",
        "abc1234567",
        "abcdefghij",
        "qwertyuiop",
        "qwerty123456",
        "asdfghjkl1",
        "1q2w3e4r5t",
        "iloveyou123",
        "password123",
        "password1234",
        "passw0rd123",
        "matkhau123",
        "matkhau1234",
        "matkhaumoi",
        "matkhaucuatoi",
        "matkhau2024",
        "matkhau2025",
        "matkhau2026",
        "anhyeuem123",
        "emyeuanh123",
        "anhyeuem1234",
        "vietnam123",
        "vietnam1234",
        "vietnamvodich",
        "hanoi12345",
        "hanoi123456",
        "saigon12345",
        "treem12345",
        "treem123456",
        "baoventreem",
        "congtacvien",
        "congtacvien123",
        "canbo12345",
        "admin12345",
        "admin123456",
        "administrator",
        "changeme123",
        "welcome123",
        "demo-password",
        "demopassword",
    }
)


def normalise(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def _squash(value: str) -> str:
    return fold(value).replace(" ", "")


def check_password(password: str, username: str, field: str = "password") -> list[FieldError]:
    """Every rule the password breaks, each naming ``field`` (empty list: the password is fine)."""
    pw = normalise(password)
    errors = []
    if len(pw) < MIN_LENGTH:
        errors.append(FieldError(field, f"must be at least {MIN_LENGTH} characters long", "too_short"))
    if len(pw) > MAX_LENGTH:
        errors.append(FieldError(field, f"must be at most {MAX_LENGTH} characters long", "too_long"))
    if pw.strip() != pw or any(unicodedata.category(ch) == "Cc" for ch in pw):
        errors.append(
            FieldError(field, "must not start or end with spaces or contain control characters", "invalid")
        )
    squashed = _squash(pw)
    user = _squash(username)
    if user and (squashed == user or (len(user) >= 4 and user in squashed)):
        errors.append(FieldError(field, "must not be or contain the username", "contains_username"))
    if squashed in COMMON or len(set(squashed)) <= 2:
        errors.append(FieldError(field, "is too common or too easy to guess: choose another", "common"))
    return errors
