"""Which register records a caller reads and where they may write (the one place the subtree rule is
written for the registers).

Water points and facilities hold no child data: whoever reads a unit's records or aggregates reads the
register rows of its subtree (:func:`points_for`, :func:`facilities_for`; row-level security in
migration 0035 repeats it with ``app_unit_visible``). Water points are written only by the hamlet's
record keepers (the records scope: the collaborator of the hamlet, the commune's ward officer), which
Casbin and ``app_unit_recorded`` both check; facilities by the staff whose area holds the managing unit.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, or_, select

from authz.caller import Caller
from portal.registers.models import Facility, WaterPoint
from tenancy.models import Unit
from tenancy.scope import in_subtree, subtree_clause


def _visible(caller: Caller) -> ColumnElement[bool]:
    return or_(
        subtree_clause(Unit.path, caller.scope.records), subtree_clause(Unit.path, caller.scope.aggregates)
    )


def points_for(caller: Caller) -> Select[tuple[WaterPoint, Unit]]:
    """Base statement: the water points of the hamlets in the caller's subtree, with their hamlet."""
    return select(WaterPoint, Unit).join(Unit, Unit.id == WaterPoint.hamlet_id).where(_visible(caller))


def facilities_for(caller: Caller) -> Select[tuple[Facility, Unit]]:
    """Base statement: the facilities managed by a unit of the caller's subtree, with that unit."""
    return select(Facility, Unit).join(Unit, Unit.id == Facility.unit_id).where(_visible(caller))


def under(root: Unit) -> ColumnElement[bool]:
    """SQL on ``Unit``: the row's unit is ``root`` or below it (narrows a base statement to an area)."""
    return subtree_clause(Unit.path, root.path)


def keeps_records_of(caller: Caller, unit: Unit) -> bool:
    """Does the caller keep the records of ``unit`` (the records scope covers it)?"""
    return in_subtree(unit.path, caller.scope.records)


def manages(caller: Caller, unit: Unit) -> bool:
    """Does the caller's area (records or aggregates) hold ``unit``?"""
    return caller.covers(unit)
