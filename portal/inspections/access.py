"""Which inspections a caller reads, and where an inspection may reach.

A plan is visible to the units that inspect it and to the units it audits, as far as the caller's
records or aggregate scope covers them: :func:`plans_for` says so in SQL, and row-level security in
migration 0009 (``app_unit_visible(inspecting_unit_id) OR app_plan_audits_me(id)``) checks the same
in the database. Audited units and recommendations' addressees lie below the inspecting unit
(:func:`within`); a check's exact counts go only to the audited unit's record keepers.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, or_, select

from authz.caller import Caller
from portal.auth.models import User
from portal.inspections.models import Addressee, InspectionPlan, InspectionTarget
from tenancy.models import Unit
from tenancy.scope import in_subtree, subtree_clause
from tenancy.service import visible_unit_ids


def plans_for(caller: Caller) -> Select[tuple[InspectionPlan]]:
    """Base statement: the plans the caller's units inspect or are audited by."""
    visible = visible_unit_ids(caller.scope)
    audited = select(InspectionTarget.plan_id).where(InspectionTarget.unit_id.in_(visible))
    return select(InspectionPlan).where(
        or_(InspectionPlan.inspecting_unit_id.in_(visible), InspectionPlan.id.in_(audited))
    )


TEAM_ROLES = ("district_officer", "provincial_inspector")


def team_candidates(root: Unit) -> Select[tuple[User, Unit]]:
    """Active officers at ``root`` or below who may join a team inspecting from ``root`` (as the plan's
    service checks each member it is given)."""
    return (
        select(User, Unit)
        .join(Unit, Unit.id == User.unit_id)
        .where(subtree_clause(Unit.path, root.path), User.is_active, User.role.in_(TEAM_ROLES))
    )


def within(unit: Unit, root: Unit) -> bool:
    """Is ``unit`` ``root`` itself or below it (an auditable unit, a recommendation's addressee)?"""
    return in_subtree(unit.path, root.path)


def keeps_records(unit_path: str, records: str | None) -> bool:
    """True when a reader whose records scope is ``records`` keeps the audited unit's records."""
    return in_subtree(unit_path, records)


def addressees_under(root_path: str | None) -> ColumnElement[bool]:
    """Addressees kept under ``root_path`` or below (those an inspection from that unit may address, those
    an administrator or a province keeps)."""
    return Addressee.unit_id.in_(select(Unit.id).where(subtree_clause(Unit.path, root_path)))
