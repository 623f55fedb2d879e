"""Who is calling: the authenticated user, their role, unit and scope; and who acted, for the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from tenancy.models import Unit
from tenancy.scope import Scope


@dataclass(frozen=True)
class Actor:
    """Who acted, as the audit log records it (all ``None``: an anonymous request)."""

    user_id: int | None
    username: str | None
    role: str | None


@dataclass(frozen=True)
class Caller:
    user_id: int
    username: str
    full_name: str
    role: str | None
    unit: Unit | None
    scope: Scope

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.username, self.role)
