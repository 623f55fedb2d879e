"""Turn a caller (role held at a unit) into the :class:`Scope` they may see.

Casbin says whether the role may read child records or aggregates at all; the unit's path
says where. These are the only functions that mint a Scope for a request or a task:
:func:`scope_for` the caller's own, :func:`scope_before` and :func:`predecessor_scopes` the
read-only scopes of the units that became the caller's in a reorganisation (tenancy.succession).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from authz.enforcer import allowed
from tenancy.scope import NO_SCOPE, Scope
from tenancy.succession import PredecessorRoot, predecessor_roots

ROOT_PATH = "/"


def scope_for(role: str | None, unit_path: str | None, active: bool = True) -> Scope:
    """Default deny: an inactive account, or one without a role, sees nothing.

    A role held at no unit covers the whole tree only for ``admin``; any other role needs a unit.
    """
    if not active or not role:
        return NO_SCOPE
    root = unit_path or (ROOT_PATH if role == "admin" else None)
    if root is None:
        return NO_SCOPE
    return Scope(
        records=root if allowed(role, "child", "read") else None,
        aggregates=root if allowed(role, "stats", "read") else None,
    )


def predecessor_scopes(session: Session, scope: Scope) -> list[Scope]:
    """The read-only scopes of the predecessors of the caller's subtree, widest first.

    The same subtree rule as the caller's own scope, applied to the units that became a unit of that
    subtree: each predecessor root is read with the standing the caller's own root gives (records from
    the records root, aggregates from the aggregates root: a provincial inspector's predecessor scope
    is aggregates only) and only as of days before its ``until``. A predecessor scope has none of its
    own (no chain through it): ``scope`` must be a caller's own.
    """
    if scope.until is not None:
        return []
    records = predecessor_roots(session, scope.records)
    aggregates = (
        records if scope.aggregates == scope.records else predecessor_roots(session, scope.aggregates)
    )
    roots: list[PredecessorRoot] = [*aggregates, *(r for r in records if r not in aggregates)]
    return [
        Scope(
            records=root.path if root in records else None,
            aggregates=root.path if root in aggregates else None,
            until=root.until,
        )
        for root in roots
    ]


def scope_before(session: Session, scope: Scope, path: str, on: date) -> Scope | None:
    """The predecessor scope under which the caller reads the unit at ``path`` as of ``on``; None when
    no predecessor of the caller's subtree covers it on that day (then the caller's own scope decides,
    and a read outside it stays refused)."""
    for past in predecessor_scopes(session, scope):
        root = past.records or past.aggregates
        assert root is not None and past.until is not None
        if PredecessorRoot(root, past.until).covers(path, on):
            return past
    return None
