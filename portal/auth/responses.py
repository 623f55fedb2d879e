"""Shapes of the auth API's answers."""

from __future__ import annotations

from portal.shapes import Out, UnitRefOut


class TokenOut(Out):
    access_token: str
    token_type: str
    expires_in: int


class MeOut(Out):
    """The caller: account, role and unit (no unit and no role for an account not placed yet)."""

    id: int
    username: str
    full_name: str
    role: str | None
    unit: UnitRefOut | None
