"""Which briefings a caller sees, and which collaborators a briefing is about (the subtree rule, here only).

A briefing is seen by the staff whose area holds its commune (the commune's ward officer, its district)
and by each collaborator who attended it (present); row-level security (migration 0034) repeats both.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, or_, select

from authz.caller import Caller
from portal.auth.models import User
from portal.briefings.models import Briefing, BriefingAttendance
from tenancy.models import Unit
from tenancy.scope import in_subtree, subtree_clause


def area_root(caller: Caller) -> str | None:
    """The subtree whose briefings the caller reads: their aggregate or record scope."""
    return caller.scope.aggregates or caller.scope.records


def keeps(caller: Caller, unit: Unit) -> bool:
    """Does the caller keep ``unit``'s records (the commune's own staff, who write its briefings)?"""
    return in_subtree(unit.path, caller.scope.records)


def oversees(caller: Caller, unit: Unit) -> bool:
    """Is ``unit`` in the caller's area (they read every attendee of its briefings)?"""
    return in_subtree(unit.path, area_root(caller))


def attended_by(user_id: int | None) -> ColumnElement[bool]:
    """SQL on ``Briefing``: the account was present at it."""
    return (
        select(BriefingAttendance.briefing_id)
        .where(
            BriefingAttendance.briefing_id == Briefing.id,
            BriefingAttendance.user_id == user_id,
            BriefingAttendance.present,
        )
        .exists()
    )


def visible_briefings(caller: Caller) -> Select[tuple[Briefing, Unit]]:
    """Briefings of communes in the caller's area, and those the caller attended."""
    return (
        select(Briefing, Unit)
        .join(Unit, Unit.id == Briefing.unit_id)
        .where(or_(subtree_clause(Unit.path, area_root(caller)), attended_by(caller.user_id)))
    )


def commune_collaborators(commune: Unit) -> Select[tuple[User, Unit]]:
    """Active collaborator accounts working in a hamlet of ``commune``, with their hamlet."""
    return (
        select(User, Unit)
        .join(Unit, Unit.id == User.unit_id)
        .where(
            and_(subtree_clause(Unit.path, commune.path), Unit.level == "hamlet"),
            User.role == "collaborator",
            User.is_active,
        )
    )
