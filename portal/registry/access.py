"""Which children a caller reads: every query of the registry starts here.

A child is visible when its unit path lies in the caller's records scope (none without one);
row-level security on ``children`` checks the same scope in the database as the second wall. A child
on its way to another commune is also readable there until the move is decided (``move_shows_child``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select

from authz.caller import Caller
from portal.registry.duplicate_models import ChildMerge
from portal.registry.models import Child, ChildMove, ChildPeriod
from tenancy.models import Unit
from tenancy.scope import in_subtree, subtree_clause


def children_for(caller: Caller) -> Select[tuple[Child]]:
    """Base statement: the children in the caller's records scope."""
    return select(Child).where(subtree_clause(Child.unit_path, caller.scope.records))


def children_in(unit: Unit) -> ColumnElement[bool]:
    """SQL: the child is recorded in ``unit`` or below it (narrows a scoped statement to one area)."""
    return subtree_clause(Child.unit_path, unit.path)


def in_period(kind: str, code: str, on: date) -> ColumnElement[bool]:
    """SQL: the child is in the ``kind`` period ``code`` on day ``on`` (a special-circumstance group,
    ``kind="group"``; an at-risk flag, ``kind="risk"``): it began by then and had not ended."""
    return exists().where(
        ChildPeriod.child_id == Child.id,
        ChildPeriod.kind == kind,
        ChildPeriod.code == code,
        ChildPeriod.since <= on,
        or_(ChildPeriod.until.is_(None), ChildPeriod.until > on),
    )


def moves_for(caller: Caller, side: str | None = None) -> Select[tuple[ChildMove]]:
    """Base statement: moves with a side in the caller's records scope. ``side``: ``"out"`` only those
    leaving it (the origin), ``"in"`` only those coming to it (the destination), None either."""
    root = caller.scope.records
    leaving = subtree_clause(ChildMove.from_path, root)
    # to the commune, or to a hamlet of it once named; a move with no destination yet comes to nobody
    coming = or_(subtree_clause(ChildMove.to_path, root), subtree_clause(ChildMove.to_hamlet_path, root))
    return select(ChildMove).where(
        leaving if side == "out" else coming if side == "in" else or_(leaving, coming)
    )


def move_shows_child(caller: Caller) -> ColumnElement[bool]:
    """SQL, over a move joined to its child: the caller reads the child's record. It is theirs, or the
    origin sent it their way and the move is still open (row-level security repeats both rules)."""
    root = caller.scope.records
    return or_(
        subtree_clause(Child.unit_path, root),
        and_(
            ChildMove.state == "open",
            ChildMove.asked_by == "origin",
            subtree_clause(ChildMove.to_path, root),
        ),
    )


def side_of(caller: Caller, move: ChildMove) -> str:
    """Which side of ``move`` the caller is on: ``origin`` (the child left their area) or ``destination``."""
    return "origin" if in_subtree(move.from_path, caller.scope.records) else "destination"


def child_scoped(child: Any, caller: Caller) -> ColumnElement[bool]:
    """SQL: ``child`` (``Child`` or an alias of it, as in a self-join) lies in the caller's records scope."""
    return subtree_clause(child.unit_path, caller.scope.records)


def child_within(child: Any, unit: Unit) -> ColumnElement[bool]:
    """SQL: ``child`` (``Child`` or an alias of it) is recorded in ``unit`` or below it."""
    return subtree_clause(child.unit_path, unit.path)


def merges_for(caller: Caller) -> Select[tuple[ChildMerge]]:
    """Base statement: merges made in a commune of the caller's records scope (row-level security
    repeats the rule; a collaborator's hamlet holds no commune, so none)."""
    return select(ChildMerge).where(subtree_clause(ChildMerge.commune_path, caller.scope.records))
