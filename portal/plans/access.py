"""Which plans, activities and steering committees a caller reads: the one place this context writes the
subtree rule (tests/test_scoping_lint.py).

A plan is read by its unit's subtree (the officers of the unit and of every level above it follow its
progress) and by the units below its unit (a commune reads the district's plan it carries out). An
activity is also read by the unit that owns it. A committee is read by its unit's subtree only. Row-level
security in migration 0037 checks the same (``app_unit_visible``, ``app_unit_above_me``).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, or_, select

from authz.caller import Caller
from portal.plans.models import Plan, PlanActivity, SteeringCommittee
from tenancy.models import Unit
from tenancy.scope import in_subtree, subtree_clause
from tenancy.service import path_ids, visible_unit_ids


def _above(caller: Caller) -> list[int]:
    """The caller's scope roots and the units above them."""
    return sorted({*path_ids(caller.scope.records), *path_ids(caller.scope.aggregates)})


def visible_plans(caller: Caller) -> Select[tuple[Plan, Unit]]:
    """Base statement: plans of the caller's subtree and of the units above the caller, with their unit."""
    return (
        select(Plan, Unit)
        .join(Unit, Unit.id == Plan.unit_id)
        .where(or_(Plan.unit_id.in_(visible_unit_ids(caller.scope)), Plan.unit_id.in_(_above(caller))))
    )


def below(unit: Unit) -> ColumnElement[bool]:
    """Plans of ``unit`` and of the units below it (the progress view of a level)."""
    return subtree_clause(Unit.path, unit.path)


def visible_activity(caller: Caller, activity_id: int) -> Select[tuple[PlanActivity, Plan, Unit]]:
    """One activity, if the caller reads its plan or its unit owns it."""
    plans = visible_plans(caller).with_only_columns(Plan.id)
    return (
        select(PlanActivity, Plan, Unit)
        .join(Plan, Plan.id == PlanActivity.plan_id)
        .join(Unit, Unit.id == Plan.unit_id)
        .where(
            PlanActivity.id == activity_id,
            or_(
                PlanActivity.plan_id.in_(plans),
                PlanActivity.owner_unit_id.in_(visible_unit_ids(caller.scope)),
            ),
        )
    )


def visible_committees(caller: Caller) -> Select[tuple[SteeringCommittee, Unit]]:
    """Base statement: committees of units in the caller's subtree, with their unit."""
    return (
        select(SteeringCommittee, Unit)
        .join(Unit, Unit.id == SteeringCommittee.unit_id)
        .where(SteeringCommittee.unit_id.in_(visible_unit_ids(caller.scope)))
    )


def within(unit: Unit, root: Unit) -> bool:
    """Is ``unit`` ``root`` itself or below it (an activity's owner unit under the plan's unit)?"""
    return in_subtree(unit.path, root.path)
