"""Which children a caller reads: every query of the registry starts here.

A child is visible when its unit path lies in the caller's records scope (none without one);
row-level security on ``children`` checks the same scope in the database as the second wall.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, select

from authz.caller import Caller
from portal.registry.models import Child
from tenancy.models import Unit
from tenancy.scope import subtree_clause


def children_for(caller: Caller) -> Select[tuple[Child]]:
    """Base statement: the children in the caller's records scope."""
    return select(Child).where(subtree_clause(Child.unit_path, caller.scope.records))


def children_in(unit: Unit) -> ColumnElement[bool]:
    """SQL: the child is recorded in ``unit`` or below it (narrows a scoped statement to one area)."""
    return subtree_clause(Child.unit_path, unit.path)
