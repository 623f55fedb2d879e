"""Who is calling: the authenticated user, their role, unit and scope; and who acted, for the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy.orm import Session

from infra.db import scope_switched
from tenancy.models import Unit
from tenancy.resolve import predecessor_scopes, scope_before
from tenancy.scope import Scope, in_subtree


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

    def covers(self, unit: Unit) -> bool:
        """Whether the caller's own scope (records or aggregates) holds ``unit``."""
        return in_subtree(unit.path, self.scope.records) or in_subtree(unit.path, self.scope.aggregates)


def last_day(unit: Unit) -> date | None:
    """The last day a closed unit was in force (None while it is): the day its own history is read as of."""
    return unit.valid_to - timedelta(days=1) if unit.valid_to is not None else None


@contextmanager
def reading_history(session: Session, caller: Caller, unit: Unit, on: date | None) -> Iterator[Caller]:
    """The caller who reads ``unit`` as of ``on``: the caller as is when their own scope holds the unit or
    no day is asked (a current read is unchanged); else, when a predecessor of their subtree covers the
    unit on that day, the same person under that predecessor's read-only scope, with the database's
    scope switched to it for the block (row-level security checks the same root). Otherwise the caller
    as is, whom the guards then refuse as before."""
    past = None if on is None or caller.covers(unit) else scope_before(session, caller.scope, unit.path, on)
    if past is None:
        yield caller
        return
    with reading_as(session, caller, past) as reader:
        yield reader


@contextmanager
def reading_as(session: Session, caller: Caller, past: Scope) -> Iterator[Caller]:
    """The caller under ``past``, one of their predecessor scopes (``predecessor_scopes``), with the
    database's scope switched to it for the block."""
    if past.until is None:
        raise ValueError("reading_as takes a predecessor scope (with until), not a caller's own")
    with scope_switched(session, past):
        yield replace(caller, scope=past)


def history_scopes(session: Session, caller: Caller) -> list[Scope]:
    """The caller's predecessor scopes, widest first (tenancy.resolve.predecessor_scopes)."""
    return predecessor_scopes(session, caller.scope)
